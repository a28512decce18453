// Model traces as sequence diagrams: mermaid for GitHub (PR comments, job
// summaries), inline SVG drawn here for the HTML page (no script, no network).
import type { TraceDiagram } from '../rules/rule.js';

/**
 * Mermaid text: `#` starts an entity, `;` ends a statement and `<br>` breaks
 * a line, so those are written as entity codes (mermaid's
 * "Entity codes to escape characters").
 */
function mermaidText(text: string): string {
  return text.replace(/[#;<>]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** A mermaid `sequenceDiagram`: a participant per lane, the steps, the violation as a note across every lane. */
export function mermaidOf(d: TraceDiagram): string {
  const id = (lane: string): string => `L${d.lanes.indexOf(lane)}`;
  const out = ['sequenceDiagram'];
  for (const lane of d.lanes) out.push(`  participant ${id(lane)} as ${mermaidText(lane)}`);
  for (const s of d.steps) {
    if (s.kind === 'note') out.push(`  Note over ${id(s.over)}: ${mermaidText(s.text)}`);
    else out.push(`  ${id(s.from)}${s.kind === 'call' ? '->>' : '-->>'}${id(s.to)}: ${mermaidText(s.text)}`);
  }
  const across = d.lanes.length > 1 ? `${id(d.lanes[0]!)},${id(d.lanes[d.lanes.length - 1]!)}` : id(d.lanes[0]!);
  out.push(`  Note over ${across}: ${mermaidText(d.end)}`);
  return out.join('\n');
}

/** A fenced mermaid block, which GitHub renders in comments and job summaries. */
export function mermaidBlock(d: TraceDiagram): string {
  return `\`\`\`mermaid\n${mermaidOf(d)}\n\`\`\``;
}

const xml = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

// the page's monospace font at 11px: a character is about 6.6px wide
const CHAR = 6.6;
const LINE = 14;
const WRAP = 44;

/** Lines of at most `max` characters, broken at spaces where there are some. */
function wrap(text: string, max = WRAP): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const cut = rest.lastIndexOf(' ', max);
    const at = cut > max / 2 ? cut : max;
    lines.push(rest.slice(0, at));
    rest = rest.slice(at).trimStart();
  }
  lines.push(rest);
  return lines;
}

const widthOf = (lines: readonly string[]): number => Math.max(...lines.map((l) => l.length)) * CHAR;

/** The diagram as an SVG element; `key` keeps its marker ids apart from other diagrams on the page. */
export function svgOf(d: TraceDiagram, key: string): string {
  const lane = new Map(d.lanes.map((l, i) => [l, i]));
  const rows = d.steps.map((s) => ({ s, lines: wrap(s.text) }));
  // the violation spans every lane
  const endLines = wrap(d.end, 2 * WRAP);
  // lanes far enough apart for every arrow's text between them
  let gap = 150;
  for (const { s, lines } of rows) {
    if (s.kind === 'note') continue;
    const span = Math.abs(lane.get(s.to)! - lane.get(s.from)!) || 1;
    gap = Math.max(gap, (widthOf(lines) + 24) / span);
  }
  const head = d.lanes.map((l) => ({ l, w: Math.max(l.length * CHAR + 20, 90) }));
  const margin = Math.max(...rows.filter((r) => r.s.kind === 'note').map((r) => widthOf(r.lines) / 2 + 10), ...head.map((h) => h.w / 2), 60) + 10;
  const xOf = (l: string): number => margin + lane.get(l)! * gap;
  const right = margin + (d.lanes.length - 1) * gap;
  const width = Math.ceil(Math.max(right + margin, widthOf(endLines) + 40));
  const out: string[] = [];
  let y = 52;
  for (const { s, lines } of rows) {
    const h = lines.length * LINE;
    if (s.kind === 'note') {
      const x = xOf(s.over);
      const w = widthOf(lines) + 16;
      out.push(`<rect class="note" x="${(x - w / 2).toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${h + 8}"/>`);
      lines.forEach((t, i) => {
        out.push(`<text x="${x}" y="${y + 4 + (i + 1) * LINE - 3}" text-anchor="middle">${xml(t)}</text>`);
      });
      y += h + 18;
      continue;
    }
    const x1 = xOf(s.from);
    const x2 = xOf(s.to);
    const mid = (x1 + x2) / 2;
    lines.forEach((t, i) => {
      out.push(`<text x="${mid}" y="${y + (i + 1) * LINE - 3}" text-anchor="middle">${xml(t)}</text>`);
    });
    const ly = y + h + 4;
    out.push(`<line class="${s.kind}" x1="${x1}" y1="${ly}" x2="${x2 + (x2 > x1 ? -2 : 2)}" y2="${ly}" marker-end="url(#${key}-arrow)"/>`);
    y = ly + 14;
  }
  const eh = endLines.length * LINE + 8;
  out.push(`<rect class="end" x="20" y="${y}" width="${width - 40}" height="${eh}"/>`);
  endLines.forEach((t, i) => {
    out.push(`<text x="${width / 2}" y="${y + 4 + (i + 1) * LINE - 3}" text-anchor="middle">${xml(t)}</text>`);
  });
  const height = y + eh + 16;
  const heads = head.map(({ l, w }) => {
    const x = xOf(l);
    return `<rect class="lane" x="${(x - w / 2).toFixed(1)}" y="8" width="${w.toFixed(1)}" height="28"/><text x="${x}" y="27" text-anchor="middle">${xml(l)}</text><line class="life" x1="${x}" y1="36" x2="${x}" y2="${height - 8}"/>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="diagram" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${xml(d.title)}">`,
    `<defs><marker id="${key}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>`,
    ...heads,
    ...out,
    '</svg>',
  ].join('\n');
}
