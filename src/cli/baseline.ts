// `check --baseline FILE` and `--write-baseline FILE`: the baseline read once
// (a bad one is named before the scan), the file written in place of the old
// one only when the run saw every input. The format and the comparison are
// src/report/baseline.ts's.
import { existsSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { describeFsError, MnlintError, notRegular } from '../input/read.js';
import { buildBaseline, formatBaseline, readBaseline, type Baseline } from '../report/baseline.js';
import type { Finding } from '../rules/rule.js';
import type { Values } from './options.js';

const read = new Map<string, Baseline>();

/** --baseline's file, read once; undefined without the option. */
export function baselineOf(values: Values): Baseline | undefined {
  const file = values.baseline;
  if (file === undefined) return undefined;
  if (!read.has(file)) read.set(file, readBaseline(file, `--baseline ${file}`));
  return read.get(file);
}

/**
 * Where --write-baseline's file goes, checked before the scan: a new file in
 * an existing directory, or a regular file (a link's target) to replace. A
 * FIFO or a device is refused: the file is replaced by a rename, never
 * written through.
 */
export function baselineTarget(file: string): string {
  const label = `--write-baseline ${file}`;
  if (file === '' || file === '-') throw new MnlintError(`${label}: a file name is needed`);
  let target = file;
  try {
    if (existsSync(file)) {
      const kind = notRegular(file);
      if (kind) throw new MnlintError(`${label}: ${kind}`);
      target = realpathSync(file);
    }
    const dir = dirname(target);
    if (!statSync(dir).isDirectory()) throw new MnlintError(`${label}: ${dir} is not a directory`);
  } catch (e) {
    if (e instanceof MnlintError) throw e;
    throw new MnlintError(`${label}: ${describeFsError(e)}`);
  }
  return target;
}

/** The baseline of `findings` written to --write-baseline's file (a temporary file renamed over it); the line saying so. */
export function writeBaselineFile(file: string, findings: readonly Finding[]): string {
  const target = baselineTarget(file);
  const baseline = buildBaseline(findings);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, formatBaseline(baseline));
    renameSync(tmp, target);
  } catch (e) {
    throw new MnlintError(`--write-baseline ${file}: ${describeFsError(e)}`);
  }
  const n = baseline.entries.length;
  return `mnlint: note: wrote baseline ${file}: ${n} ${n === 1 ? 'entry' : 'entries'} for ${findings.length} ${findings.length === 1 ? 'finding' : 'findings'}\n`;
}
