// Runs the real-bug set: each fixture against its annotations, each mutant
// against the unmutated Debian tree. Shared by test/history.test.ts and
// bench/history.ts (which prints the recall).
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { analyze } from '../../src/engine/analyze.js';
import { scan } from '../../src/engine/scan.js';
import { apiById } from '../../src/model/api.js';
import type { Finding } from '../../src/rules/rule.js';
import { REPO, check, expectations } from '../helpers.js';
import { haveKernel, kernelDir } from '../kernel-trees.js';
import { BUGS, type HistoricBug, type Mutant } from './bugs.js';

export interface BugResult {
  bug: HistoricBug & { fixture: string; rule: string };
  /** the pre-fix code is reported by the bug's rule */
  fixtureDetected: boolean;
  /** annotations that did not hold (a finding not annotated, an expectation not met) */
  mismatches: string[];
  /** the reintroduced bug adds a finding of the rule; null without a mutant or a tree */
  mutantDetected: boolean | null;
  mutantSkipped?: string;
}

async function findingsIn(root: string, scope: string, overlay?: Map<string, string>): Promise<Finding[]> {
  const r = await scan({ paths: [join(root, scope)], jobs: 1, overlay });
  if (r.problems.length) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return analyze(r.files, r.index, undefined, apiById('6.12')!);
}

export function applyMutant(source: string, m: Mutant): string | null {
  let out = source;
  for (const edit of [{ find: m.find, replace: m.replace }, ...(m.also ? [m.also] : [])]) {
    const at = out.indexOf(edit.find);
    if (at < 0 || out.indexOf(edit.find, at + 1) >= 0) return null;
    out = out.replace(edit.find, edit.replace);
  }
  return out;
}

/** The bugs with a reduced fixture (the first entries). */
export const FIXTURE_BUGS = BUGS.filter((b): b is HistoricBug & { fixture: string; rule: string } => b.fixture !== undefined && b.rule !== null);

export async function evaluate(bug: HistoricBug & { fixture: string; rule: string }): Promise<BugResult> {
  const path = join(REPO, 'test', 'history', bug.fixture);
  const rel = relative(REPO, path);
  const findings = (await check([rel])).filter((f) => f.file === rel);
  const exp = expectations(path);
  const got = findings.map((f) => `${f.line} ${f.rule}`).sort();
  const want = exp
    .filter((e) => e.kind === 'expect')
    .map((e) => `${e.line} ${e.rule}`)
    .sort();
  const mismatches = [
    ...want.filter((w) => !got.includes(w)).map((w) => `expected, not found: ${w}`),
    ...got.filter((g) => !want.includes(g)).map((g) => `found, not annotated: ${g}`),
    ...exp.filter((e) => e.kind === 'ok' && findings.some((f) => f.line === e.line && f.rule === e.rule)).map((e) => `ok line reported: ${e.line} ${e.rule}`),
  ];
  const fixtureDetected = exp.some((e) => e.kind === 'expect' && e.rule === bug.rule && got.includes(`${e.line} ${e.rule}`));
  const result: BugResult = { bug, fixtureDetected, mismatches, mutantDetected: null };
  const m = bug.mutant ?? { none: 'no mutant written' };
  if ('none' in m) {
    result.mutantSkipped = m.none;
    return result;
  }
  if (!haveKernel(m.kernel)) {
    result.mutantSkipped = `linux-${m.kernel} is not unpacked (scripts/fetch-kernels.sh)`;
    return result;
  }
  const root = kernelDir(m.kernel);
  const source = readFileSync(join(root, m.file), 'utf8');
  const mutated = applyMutant(source, m);
  if (mutated === null) throw new Error(`${bug.id}: the mutant does not apply exactly once to ${m.file}`);
  const scope = m.scope ?? dirname(m.file);
  // a finding of the rule the unmutated tree does not have (place, severity, message)
  const keys = (fs: Finding[]): string[] => fs.filter((f) => f.rule === bug.rule).map((f) => `${f.file}:${f.line}:${f.severity}:${f.message}`);
  const before = new Set(keys(await findingsIn(root, scope)));
  const after = keys(await findingsIn(root, scope, new Map([[join(root, m.file), mutated]])));
  result.mutantDetected = after.some((k) => !before.has(k));
  return result;
}

export function recallTable(results: readonly BugResult[]): string {
  const fixtures = results.filter((r) => r.fixtureDetected).length;
  const mutants = results.filter((r) => r.mutantDetected !== null);
  const lines = results.map((r) => `  ${r.fixtureDetected ? 'found ' : 'missed'} ${r.mutantDetected === null ? 'no mutant ' : r.mutantDetected ? 'mutant found ' : 'mutant missed'} ${r.bug.rule.padEnd(28)} ${r.bug.fix}`);
  return [`reduced fixtures: ${fixtures}/${results.length} detected, reintroduction mutants ${mutants.filter((r) => r.mutantDetected).length}/${mutants.length} detected`, ...lines].join('\n');
}

export { BUGS };
