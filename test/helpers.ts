// Shared test helpers: analyze sources in-process, read fixture annotations,
// run the built CLI.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze } from '../src/engine/analyze.js';
import { scan } from '../src/engine/scan.js';
import { apiById, type ApiLevel } from '../src/model/api.js';
import type { Finding } from '../src/rules/rule.js';

export const REPO = resolve(import.meta.dirname, '..');
export const CLI = resolve(REPO, 'dist', 'cli.js');

export async function check(paths: string[], cwd = REPO): Promise<Finding[]> {
  const result = await scan({ paths, cwd, jobs: 1 });
  if (result.problems.length) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return analyze(result.files, result.index, undefined, pinnedApi(paths, cwd));
}

/** A fixture written for an older kernel pins its level: `// mnlint-api: 4.19` (one file checked alone). */
function pinnedApi(paths: string[], cwd: string): ApiLevel | undefined {
  if (paths.length !== 1 || !paths[0]!.endsWith('.c')) return undefined;
  const m = /\/\/\s*mnlint-api:\s*(\S+)/.exec(readFileSync(join(cwd, paths[0]!), 'utf8'));
  if (!m) return undefined;
  const api = apiById(m[1]!);
  if (!api) throw new Error(`${paths[0]}: mnlint-api names no level: ${m[1]}`);
  return api;
}

export interface Expectation {
  line: number;
  rule: string;
  kind: 'expect' | 'ok' | 'todo-expect';
  severity?: string;
}

const ANNOTATION = /\/\/\s*(expect|ok|todo-expect):\s*([\w-]+)(?:\s+(error|warning|info))?/;

/** `// expect: rule [severity]` and `// ok: rule` annotate the next line that is not an annotation. */
export function expectations(path: string): Expectation[] {
  const out: Expectation[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((text, i) => {
    const m = ANNOTATION.exec(text);
    if (!m) return;
    let target = i + 1;
    while (target < lines.length && ANNOTATION.test(lines[target]!)) target++;
    out.push({ line: target + 1, rule: m[2]!, kind: m[1] as Expectation['kind'], severity: m[3] });
  });
  return out;
}

export function runCli(args: string[], opts: { cwd?: string; input?: string } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? REPO, encoding: 'utf8', input: opts.input, maxBuffer: 1 << 26 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** git in a test repository, as Ann Dev; its output, or an Error with git's stderr. */
export function gitIn(repo: string, ...args: string[]): string {
  const r = spawnSync('git', ['-C', repo, '-c', 'user.name=Ann Dev', '-c', 'user.email=ann@example.org', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

/** Replaces text in a file; throws when the text is not there (an edit that silently did nothing would pass tests). */
export function replaceIn(path: string, from: string, to: string): void {
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`edit: ${from} not found in ${path}`);
  writeFileSync(path, text.replace(from, to));
}

/** The note of a run that read no notifier header and took the newest API level. */
const NEWEST_NOTE = /^mnlint: note: no include\/linux\/mmu_notifier\.h at or above [^\n]*: checked at API level [^\s,]+, the newest \(--kernel or --api names another\)\n/m;

/** stderr without the newest-level note, which must be there exactly once (a fixture tree without the header). */
export function withoutNewestNote(stderr: string): string {
  const found = stderr.match(new RegExp(NEWEST_NOTE.source, 'gm')) ?? [];
  if (found.length !== 1) throw new Error(`expected the newest-level note once on stderr, found it ${found.length} times:\n${stderr}`);
  return stderr.replace(NEWEST_NOTE, '');
}
