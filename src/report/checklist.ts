// The checklist as markdown (for the author), JSON, and b4's CI check
// protocol: a JSON array of {tool, status, summary, url, details}.

/** The checklist's shape, as the printers show it. */
export type Status = 'pass' | 'warn' | 'fail';

export interface Item {
  id: string;
  status: Status;
  summary: string;
  details: string[];
}

export interface PatchChecklist {
  label: string;
  items: Item[];
}

export interface SeriesChecklist {
  source: string;
  version: number;
  title: string;
  series: Item[];
  patches: PatchChecklist[];
}

const MARK: Record<Item['status'], string> = { pass: '[x]', warn: '[ ] **warn**', fail: '[ ] **FAIL**' };

function items(list: readonly Item[]): string[] {
  return list.flatMap((i) => [`- ${MARK[i.status]} \`${i.id}\`: ${i.summary}`, ...i.details.map((d) => `  - ${d}`)]);
}

export function formatChecklistMarkdown(lists: readonly SeriesChecklist[]): string {
  const out: string[] = [];
  for (const l of lists) {
    out.push(`# mnlint checklist: ${l.title} (v${l.version}, ${l.patches.length} patch${l.patches.length === 1 ? '' : 'es'})`, '');
    if (l.series.length) out.push('## Series', '', ...items(l.series), '');
    for (const p of l.patches) out.push(`## ${p.label}`, '', ...items(p.items), '');
  }
  return out.join('\n');
}

export function formatChecklistJson(lists: readonly SeriesChecklist[], version: string): string {
  return `${JSON.stringify({ tool: 'mnlint', version, checklists: lists }, null, 2)}\n`;
}

/** b4's `prep-perpatch-check-cmd` answer for one patch: one entry per item. */
export function formatB4(list: SeriesChecklist): string {
  const entries = [...list.series, ...list.patches.flatMap((p) => p.items)].map((i) => ({
    tool: `mnlint ${i.id}`,
    status: i.status,
    summary: i.summary,
    url: null,
    details: i.details.length ? i.details.join('\n') : null,
  }));
  return `${JSON.stringify(entries)}\n`;
}
