// Running one case: its directory made, dist/cli.js run in it with a time
// limit, and the outcome classified (crash, hang, loss, wrong exit; unnamed is
// counted apart: a bad input refused with exit 2 whose error names none of it).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, cpSync, ftruncateSync, mkdirSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { basename, dirname, join } from 'node:path';
import type { Case, FileSpec } from './cases.js';
import { CLI } from './corpus.js';

export interface Templates {
  repo: string;
  tree: string;
  inbox: string;
  inboxDamaged: string;
}

export interface Outcome {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  ms: number;
  stdout: string;
  stderr: string;
}

export type Class = 'ok' | 'crash' | 'hang' | 'loss' | 'wrong-exit' | 'unnamed';

/** Makes the case's files in `dir`; returns what to close after the run (sockets). */
export async function materialize(dir: string, files: readonly FileSpec[], t: Templates): Promise<Server[]> {
  mkdirSync(dir, { recursive: true });
  const servers: Server[] = [];
  for (const f of files) {
    const p = join(dir, f.path);
    mkdirSync(dirname(p), { recursive: true });
    switch (f.kind) {
      case 'file':
        writeFileSync(p, f.data);
        if (f.mode !== undefined) chmodSync(p, f.mode);
        break;
      case 'dir':
        mkdirSync(p, { recursive: true });
        break;
      case 'fifo':
        spawnSync('mkfifo', [p]);
        break;
      case 'socket': {
        const s = createServer();
        await new Promise<void>((res, rej) => s.once('error', rej).listen(p, res));
        servers.push(s);
        break;
      }
      case 'eio':
        symlinkSync('/proc/self/mem', p); // a regular file whose read fails with EIO
        break;
      case 'loop':
        symlinkSync(`${basename(p)}~`, p);
        symlinkSync(basename(p), `${p}~`);
        break;
      case 'devzero':
        symlinkSync('/dev/zero', p);
        break;
      case 'huge': {
        const fd = openSync(p, 'w');
        ftruncateSync(fd, 3 * 1024 ** 3); // sparse: 3 GiB of nothing
        closeSync(fd);
        break;
      }
      case 'repo':
        cpSync(t.repo, p, { recursive: true });
        break;
      case 'tree':
        symlinkSync(t.tree, p);
        break;
      case 'inbox':
        symlinkSync(t.inbox, p);
        break;
      case 'inbox-damaged':
        symlinkSync(t.inboxDamaged, p);
        break;
    }
  }
  return servers;
}

const CAP = 1 << 22;

/** Runs dist/cli.js with `argv` in `cwd`; SIGKILL to the process group after `limitMs`. */
export function runCli(argv: readonly string[], cwd: string, opts: { limitMs: number; env: NodeJS.ProcessEnv; stdin?: Case['stdin'] }): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const stdinFd = opts.stdin?.kind === 'devzero' ? openSync('/dev/zero', 'r') : undefined;
    const child = spawn(process.execPath, [CLI, ...argv], { cwd, env: opts.env, detached: true, stdio: [stdinFd ?? 'pipe', 'pipe', 'pipe'] });
    if (stdinFd !== undefined) closeSync(stdinFd);
    else {
      child.stdin?.on('error', () => {});
      child.stdin?.end(opts.stdin?.kind === 'data' ? opts.stdin.data : undefined);
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    child.stdout?.on('data', (d: Buffer) => {
      if (outLen < CAP) out.push(d);
      outLen += d.length;
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (errLen < CAP) err.push(d);
      errLen += d.length;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {}
    }, opts.limitMs);
    child.on('error', () => {});
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // whatever the case started in its group (workers, git) goes with it
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {}
      resolve({ code, signal, timedOut, ms: performance.now() - started, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

const STACK = /^\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m;

/** Why an outcome is a crash, or null. */
export function crashOf(o: Outcome): string | null {
  if (o.timedOut) return null;
  if (o.signal) return `signal ${o.signal}`;
  if (o.code !== 0 && o.code !== 1 && o.code !== 2) return `exit ${o.code}`;
  if (/internal error/.test(o.stderr)) return 'internal error';
  if (STACK.test(o.stderr)) return 'stack trace';
  if (/Fatal JavaScript|FATAL ERROR|Unhandled 'error' event|node:internal/.test(o.stderr)) return 'fatal';
  return null;
}

/** Every finding of a JSON report (check's list or patch's series), as rule|file|line|function. */
export function findingKeys(stdout: string): Set<string> | null {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return null;
  }
  const keys = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.rule === 'string' && typeof o.line === 'number' && typeof o.file === 'string') keys.add(`${o.rule}|${o.file}|${o.line}|${o.function}`);
      else for (const x of Object.values(o)) walk(x);
    }
  };
  walk(json);
  return keys;
}

/** The --format the CLI takes when several are given: the last, as getopt and git take it. */
function lastFormat(argv: readonly string[]): string | undefined {
  let format: string | undefined;
  argv.forEach((a, i) => {
    if (a === '--format') format = argv[i + 1];
    else if (a.startsWith('--format=')) format = a.slice('--format='.length);
  });
  return format;
}

function machineProblem(c: Case, o: Outcome): string | null {
  if (!c.machine || c.argv.some((a) => a === '-h' || a === '--help' || a === '--version')) return null;
  // a later --format (text, or one no command has) is the format asked for: no document is owed
  const last = lastFormat(c.argv);
  if (last !== undefined && !['json', 'sarif', 'rdjsonl', 'b4'].includes(last)) return null;
  if (c.machine === 'json') {
    if (!o.stdout.trim()) return 'machine format: nothing on stdout';
    try {
      JSON.parse(o.stdout);
    } catch {
      return 'machine format: stdout is not one JSON document';
    }
    return null;
  }
  if (!o.stdout.trim()) return c.expect === 'bad' ? 'machine format: nothing on stdout' : null;
  for (const l of o.stdout.split('\n').filter((x) => x.trim())) {
    try {
      JSON.parse(l);
    } catch {
      return 'machine format: a stdout line is not JSON';
    }
  }
  return null;
}

export function named(c: Case, stderr: string): boolean {
  const names = (c.names ?? []).filter((n) => n !== '');
  if (!names.length) return stderr.trim() !== '';
  // a file in a scanned tree is named relative to the tree (`tree/drivers/a.c` as `drivers/a.c`)
  return names.some((n) => stderr.includes(n) || pathTails(n).some((t) => stderr.includes(`mnlint: ${t}:`)));
}

/** `a/b/c.c`'s tails that still hold a directory: `b/c.c`. */
function pathTails(name: string): string[] {
  const parts = name.split('/');
  return parts.slice(1, -1).map((_, i) => parts.slice(i + 1).join('/'));
}

/** The case's class and why; `baseline` is the good input's findings alone (loss cases). */
export function classify(c: Case, o: Outcome, baseline?: Set<string> | null): { cls: Class; why: string } {
  if (o.timedOut) return { cls: 'hang', why: 'time limit' };
  const crash = crashOf(o);
  if (crash) return { cls: 'crash', why: crash };
  if (baseline) {
    const got = findingKeys(o.stdout) ?? new Set();
    const lost = [...baseline].filter((k) => !got.has(k));
    if (lost.length) return { cls: 'loss', why: `${lost.length} of ${baseline.size} findings of the good input lost (${lost[0]})` };
  }
  // -h and --version answer before anything is read
  if (c.argv.some((a) => a === '-h' || a === '--help' || a === '--version')) return { cls: 'ok', why: '' };
  const m = machineProblem(c, o);
  if (m) return { cls: 'wrong-exit', why: m };
  if (c.expect === 'bad' && (o.code === 0 || o.code === 1) && !named(c, o.stderr)) return { cls: 'wrong-exit', why: `bad input, exit ${o.code}, nothing on stderr names it` };
  if (c.expect === 'bad' && o.code === 2 && !named(c, o.stderr) && !c.damaged?.some((d) => o.stderr.includes(d))) return { cls: 'unnamed', why: 'exit 2, the error names none of the bad input' };
  return { cls: 'ok', why: '' };
}

export function cleanup(dir: string, servers: readonly Server[]): void {
  for (const s of servers) s.close();
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {}
}
