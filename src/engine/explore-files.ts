// `mnlint model explore`: the notifiers of each file, explored together on one
// mm (the explorer's bound is three notifiers: more are explored one by one),
// with the first one's twin and, for hlist starts, a KVM-like counter.
import type { FileIR } from '../ir/types.js';
import { Summarizer } from '../ir/summary.js';
import type { FunctionIR } from '../ir/types.js';
import type { ApiLevel } from '../model/api.js';
import { explore, withCompanions, type ExploreResult } from '../model/explore.js';
import { abstractNotifier } from './abstract.js';
import type { FunctionIndex } from '../ir/function-index.js';
import { readSideOf } from '../ir/read-side.js';

export interface FileExploration {
  file: string;
  notifiers: string[];
  scenarios: number;
  runs: number;
  truncated: boolean;
  violations: ExploreResult['violations'];
}

const MAX_TOGETHER = 3;

export function exploreFiles(files: readonly FileIR[], index: FunctionIndex, api: ApiLevel): FileExploration[] {
  const summarizer = new Summarizer(index.resolve);
  const summary = (fn: FunctionIR) => summarizer.summary(fn);
  const out: FileExploration[] = [];
  for (const f of files) {
    if (!f.tables.length || f.callbacksOnly) continue;
    const notifiers = f.tables.map((t) => abstractNotifier(t, (name) => index.resolve(name, t.file), summary, readSideOf(files, t)));
    const groups = notifiers.length <= MAX_TOGETHER ? [notifiers] : notifiers.map((n) => [n]);
    const entry: FileExploration = { file: f.file, notifiers: notifiers.map((n) => n.name), scenarios: 0, runs: 0, truncated: false, violations: [] };
    for (const group of groups) {
      const r = explore(api, withCompanions(group));
      entry.scenarios += r.scenarios;
      entry.runs += r.runs;
      entry.truncated ||= r.truncated;
      entry.violations.push(...r.violations);
    }
    out.push(entry);
  }
  return out;
}
