// Keeps only some function definitions of a file, blanking the rest with
// spaces (newlines kept), so a callee can be parsed without its whole file and
// its lines and columns stay those of the original.

/** Offsets [start, end) of each named definition: from its line start to its closing brace. */
export function definitionRanges(text: string, names: ReadonlySet<string>): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const alt = [...names].map((n) => n.replace(/[^\w]/g, '')).filter(Boolean).join('|');
  if (!alt) return ranges;
  const re = new RegExp(`^(?:[A-Za-z_][\\w \\t*]*[\\s*])?(?:${alt})\\s*\\(`, 'gm');
  for (const m of text.matchAll(re)) {
    // include the return type written on the line before (`static int\nname(`)
    let start = m.index;
    const prevEnd = start - 1;
    if (prevEnd > 0) {
      const prevStart = text.lastIndexOf('\n', prevEnd - 1) + 1;
      const prev = text.slice(prevStart, prevEnd);
      if (/^[A-Za-z_][\w \t*]*$/.test(prev) && !/[;{}]/.test(prev)) start = prevStart;
    }
    const open = bodyStart(text, m.index + m[0].length);
    if (open < 0) continue;
    const close = matchingBrace(text, open);
    if (close < 0) continue;
    ranges.push([start, close + 1]);
  }
  return ranges;
}

/** The `{` opening the body after a parameter list, or -1 for a prototype. */
function bodyStart(text: string, from: number): number {
  let depth = 1;
  let i = from;
  for (; i < text.length && depth > 0; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
  }
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === '{') return i;
    if (c === ';') return -1;
  }
  return -1;
}

/** Index of the `}` matching `{` at `open`, skipping comments, strings and chars. */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return -1;
      i = end + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      if (end < 0) return -1;
      i = end;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      i = j;
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** The text with everything but the named definitions blanked; null when none is found. */
export function keepFunctions(text: string, names: ReadonlySet<string>): string | null {
  const ranges = definitionRanges(text, names);
  if (ranges.length === 0) return null;
  const out: string[] = [];
  let pos = 0;
  for (const [a, b] of ranges.sort((x, y) => x[0] - y[0])) {
    if (a < pos) continue;
    out.push(text.slice(pos, a).replace(/[^\n]/g, ' '), text.slice(a, b));
    pos = b;
  }
  out.push(text.slice(pos).replace(/[^\n]/g, ' '));
  return out.join('');
}
