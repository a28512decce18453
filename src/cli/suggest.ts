// "Did you mean ...?": the names closest to a mistyped one, as git answers
// `git stauts`. Only a name close enough is offered: a far-off word gets no
// suggestion, since a wrong guess is worse than none.

/**
 * The edit distance of `a` and `b` counting an insertion, a deletion, a
 * substitution or a swap of two adjacent characters as one edit (the optimal
 * string alignment distance, Damerau's restricted form of Levenshtein's).
 */
export function editDistance(a: string, b: string): number {
  // three rows: the one before the previous (for swaps), the previous, the current
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/** Names offered at most: more than this is no suggestion but a list. */
const MAX_OFFERED = 3;

/**
 * The names of `names` close to `word`, best first: those that `word` begins
 * (three characters at least: `--form` for `--format`), else those at the
 * smallest edit distance when it is at most a third of the word's length (one
 * edit for a word of up to five characters). None for a one-character word,
 * none when more than three tie.
 */
export function closest(word: string, names: readonly string[]): string[] {
  const w = word.toLowerCase();
  if (w.length < 2) return [];
  const candidates = [...new Set(names)].filter((n) => n.length >= 2 && n.toLowerCase() !== w);
  const prefixed = w.length >= 3 ? candidates.filter((n) => n.toLowerCase().startsWith(w)) : [];
  if (prefixed.length) return prefixed.length <= MAX_OFFERED ? prefixed : [];
  const limit = Math.max(1, Math.floor(w.length / 3));
  let best = limit + 1;
  let found: string[] = [];
  for (const n of candidates) {
    const d = editDistance(w, n.toLowerCase());
    if (d > limit) continue;
    if (d < best) {
      best = d;
      found = [n];
    } else if (d === best) found.push(n);
  }
  return found.length <= MAX_OFFERED ? found : [];
}

/** `did you mean --format?`, or `` when no name is close enough; `show` writes a name as the user would type it. */
export function didYouMean(word: string, names: readonly string[], show: (name: string) => string = (n) => n): string {
  const near = closest(word, names).map(show);
  if (!near.length) return '';
  const list = near.length === 1 ? near[0] : `${near.slice(0, -1).join(', ')} or ${near.at(-1)}`;
  return `did you mean ${list}?`;
}
