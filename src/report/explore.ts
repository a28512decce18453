// `mnlint model explore`: per file, each violation and its trace, as text or JSON.
import type { FileExploration } from '../engine/explore-files.js';

export function formatExplore(runs: readonly FileExploration[], api: string): string {
  const out: string[] = [];
  for (const r of runs) {
    out.push(`${r.file}: ${r.notifiers.join(', ')}: ${r.scenarios} scenarios, ${r.runs} runs${r.truncated ? ' (run budget reached: not every outcome explored)' : ''}, ${r.violations.length} violations`);
    for (const v of r.violations) {
      out.push(`  ${v.invariant}: ${v.message}`);
      for (const t of v.trace) out.push(`    ${t}`);
    }
  }
  const total = runs.reduce((n, r) => n + r.violations.length, 0);
  out.push(`total: ${total} violations in ${runs.length} files (API ${api})`);
  return `${out.join('\n')}\n`;
}

/** The JSON of `model explore`: the violations as the model gives them, less the trace's places (a Map, the rules' business). */
export function formatExploreJson(runs: readonly FileExploration[], api: string): string {
  const files = runs.map((r) => ({ ...r, violations: r.violations.map(({ places, ...v }) => v) }));
  return `${JSON.stringify({ api, files }, null, 2)}\n`;
}
