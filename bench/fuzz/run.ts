// The fuzz campaign (issue 23 item 5): `npx tsx bench/fuzz/run.ts [--cases N]
// [--seed S] [--jobs J] [--limit MS] [--only I,J] [--keep]`. Generates the
// cases of seed S (default: the committed SEED), runs each against
// dist/cli.js in a directory of its own, and writes .cache/fuzz/summary.md,
// summary.json, results.jsonl and failures/<class>-<n>/ (the case's files, a
// repro.sh, the output) for the first cases of each distinct failure kind.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Case, COMMANDS, describe, generate, modifyMail } from './cases.js';
import { CLI, type Corpus, loadCorpus, REPO } from './corpus.js';
import { damageMail } from './damage.js';
import { type Class, classify, cleanup, findingKeys, materialize, type Outcome, runCli, type Templates } from './exec.js';
import { Rng } from './rng.js';

/** The committed seed: the campaign's cases are the same on every machine. */
export const SEED = 23;
export const CLASSES: readonly Class[] = ['crash', 'hang', 'loss', 'wrong-exit', 'unnamed', 'ok'];

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=Ann Dev', '-c', 'user.email=ann@example.org', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', input: '' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function gitInput(cwd: string, input: Buffer, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A public-inbox v2 archive: git/0.git, each message a commit whose tree is the file `m`. */
function inbox(dir: string, mails: readonly Buffer[]): void {
  const epoch = join(dir, 'git', '0.git');
  mkdirSync(epoch, { recursive: true });
  git(epoch, 'init', '-q', '--bare');
  let parent = '';
  for (const m of mails) {
    const blob = gitInput(epoch, m, 'hash-object', '-w', '--stdin');
    const tree = gitInput(epoch, Buffer.from(`100644 blob ${blob}\tm\n`), 'mktree');
    parent = git(epoch, 'commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', 'message');
  }
  if (parent) git(epoch, 'update-ref', 'HEAD', parent);
}

/** The shared templates: a small repository, a tree, a good and a damaged inbox (made once per seed). */
function templates(dir: string, corpus: Corpus, seed: number): Templates {
  const t: Templates = { repo: join(dir, 'repo'), tree: join(dir, 'tree'), inbox: join(dir, 'inbox'), inboxDamaged: join(dir, 'inbox-damaged') };
  const stamp = join(dir, 'done');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === String(seed)) return t;
  rmSync(dir, { recursive: true, force: true });
  const [a, b2, c] = corpus.goodC as [Corpus['goodC'][0], Corpus['goodC'][0], Corpus['goodC'][0]];
  mkdirSync(join(t.repo, 'drivers', 'misc'), { recursive: true });
  git(t.repo, 'init', '-q');
  writeFileSync(join(t.repo, 'MAINTAINERS'), 'FUZZ DRIVER\nM:\tAnn Dev <ann@example.org>\nL:\tlinux-mm@kvack.org\nF:\tdrivers/misc/\n');
  writeFileSync(join(t.repo, 'drivers', 'misc', 'drv.c'), a.text);
  git(t.repo, 'add', '.');
  git(t.repo, 'commit', '-q', '-m', 'drv: add the driver');
  writeFileSync(join(t.repo, 'drivers', 'misc', 'drv2.c'), b2.text);
  git(t.repo, 'add', '.');
  git(t.repo, 'commit', '-q', '-m', 'drv2: add the second driver\n\nFixes: 123456789abc ("drv: add the driver")');
  writeFileSync(join(t.repo, 'drivers', 'misc', 'drv.c'), `${a.text}\n${c.text.replace(/\bdrv_/g, 'drv3_')}`);
  git(t.repo, 'commit', '-q', '-a', '-m', 'drv: more');
  mkdirSync(join(t.tree, 'drivers', 'misc'), { recursive: true });
  writeFileSync(join(t.tree, 'drivers', 'misc', 'drv.c'), a.text);
  writeFileSync(join(t.tree, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n');
  const rng = new Rng(seed);
  inbox(t.inbox, [...corpus.goodPatches.slice(0, 3).map((p) => Buffer.from(p.text, 'latin1')), Buffer.from(modifyMail(rng, corpus), 'latin1')]);
  inbox(
    t.inboxDamaged,
    Array.from({ length: 8 }, () => damageMail(rng, rng.pick([...corpus.patches, ...corpus.goodPatches]).text).data),
  );
  writeFileSync(stamp, String(seed));
  return t;
}

const norm = (s: string): string =>
  s
    .replace(/\/[^\s:'"]+/g, 'PATH')
    .replace(/\d+/g, 'N')
    .slice(0, 160);

function signature(c: Case, cls: Class, why: string, o: Outcome): string {
  const line = o.stderr.split('\n').find((l) => l.startsWith('mnlint:') && !l.startsWith('mnlint: note:')) ?? o.stderr.split('\n').find((l) => l.trim()) ?? '';
  const kind = c.kind
    .split('+')
    .filter((k) => !k.startsWith('kbuild:-'))
    .join('+');
  return `${cls} | ${c.command} | ${kind} | ${why.replace(/\(.*\)/, '').trim()} | ${cls === 'crash' || cls === 'unnamed' ? norm(line) : ''}`;
}

function shellQuote(a: string): string {
  return a === '' || /[^\w./=:+,@-]/.test(a) ? `'${a.replace(/'/g, `'\\''`)}'` : a;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '10000' },
      seed: { type: 'string', default: String(SEED) },
      jobs: { type: 'string', default: String(Math.min(2, cpus().length)) },
      limit: { type: 'string', default: '20000' },
      only: { type: 'string' },
      keep: { type: 'boolean', default: false },
      first: { type: 'string', default: '3' },
      out: { type: 'string', default: join(REPO, '.cache', 'fuzz') },
    },
  });
  const seed = Number(values.seed);
  const n = Number(values.cases);
  const jobs = Number(values.jobs);
  const limitMs = Number(values.limit);
  const first = Number(values.first);
  const out = values.out as string;
  if (!existsSync(CLI)) throw new Error(`${CLI}: build first (node scripts/build.mjs)`);
  mkdirSync(out, { recursive: true });
  const corpus = loadCorpus(out);
  const t = templates(join(out, 'templates'), corpus, seed);
  const root = process.getuid?.() === 0;
  const ids = values.only ? values.only.split(',').map(Number) : Array.from({ length: n }, (_, i) => i);
  const work = mkdtempSync(join(tmpdir(), 'mnlint-fuzz-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    MNLINT_CACHE_DIR: join(work, 'ir-cache'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Ann Dev',
    GIT_AUTHOR_EMAIL: 'ann@example.org',
    GIT_COMMITTER_NAME: 'Ann Dev',
    GIT_COMMITTER_EMAIL: 'ann@example.org',
  };
  const baselines = new Map<string, Promise<Set<string> | null>>();
  const counts: Record<string, Record<Class, number>> = {};
  const kinds = new Map<string, { count: number; ids: number[] }>();
  const failDir = join(out, 'failures');
  rmSync(failDir, { recursive: true, force: true });
  mkdirSync(failDir, { recursive: true });
  const results: string[] = [];
  const started = performance.now();
  let cpuMs = 0;
  let done = 0;
  let next = 0;
  const summaryTotals = (): Record<Class, number> => {
    const totals: Record<Class, number> = { crash: 0, hang: 0, loss: 0, 'wrong-exit': 0, unnamed: 0, ok: 0 };
    for (const c of Object.values(counts)) for (const k of CLASSES) totals[k] += c[k];
    return totals;
  };
  /** summary.md, summary.json and results.jsonl of the cases done so far (written every 250 cases too). */
  const writeSummary = (): string => {
    const wallS = (performance.now() - started) / 1000;
    const totals = summaryTotals();
    const sorted = [...kinds.entries()].sort((x, y) => y[1].count - x[1].count);
    const summary = { seed, cases: done, jobs, limitMs, wallSeconds: Math.round(wallS), meanCaseMs: Math.round(cpuMs / done), totals, perCommand: counts, kinds: sorted.map(([sig, k]) => ({ sig, ...k })) };
    writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    writeFileSync(join(out, 'results.jsonl'), `${results.join('\n')}\n`);
    const md = [
      `# mnlint fuzz campaign: seed ${seed}, ${done} cases, ${jobs} jobs, limit ${limitMs / 1000} s`,
      '',
      `${done} of ${ids.length} cases done. ${Math.round(wallS)} s wall, ${Math.round(cpuMs / done)} ms a case on average (wall time of one run).`,
      '',
      `| command | ${CLASSES.join(' | ')} |`,
      `|---|${CLASSES.map(() => '---:').join('|')}|`,
      ...COMMANDS.filter((c) => counts[c]).map((c) => `| ${c} | ${CLASSES.map((k) => counts[c]?.[k] ?? 0).join(' | ')} |`),
      `| **all** | ${CLASSES.map((k) => totals[k]).join(' | ')} |`,
      '',
      `## ${sorted.length} distinct failure kinds (class | command | input kind | why | first error line), with cases`,
      '',
      ...sorted.map(([sig, k]) => `- ${k.count}x ${sig} — ${k.ids.map((i) => `failures/*-${i}`).join(', ')}`),
      '',
    ].join('\n');
    writeFileSync(join(out, 'summary.md'), md);
    return md;
  };
  const runOne = async (id: number): Promise<void> => {
    const c = generate(seed, id, corpus, { root });
    const dir = join(work, `case-${id}`);
    const servers = await materialize(dir, c.files, t);
    const caseEnv = { ...env, HOME: dir };
    const o = await runCli(c.argv, dir, { limitMs, env: caseEnv, ...(c.stdin ? { stdin: c.stdin } : {}) });
    let baseline: Set<string> | null | undefined;
    if (c.loss) {
      let b = baselines.get(c.loss.key);
      if (!b) {
        const argv = c.loss.argv;
        b = runCli(argv, dir, { limitMs, env: caseEnv }).then((r) => (r.code === 0 || r.code === 1 ? findingKeys(r.stdout) : null));
        baselines.set(c.loss.key, b);
      }
      baseline = await b;
    }
    const { cls, why } = classify(c, o, baseline);
    cpuMs += o.ms;
    const cmd = counts[c.command] ?? { crash: 0, hang: 0, loss: 0, 'wrong-exit': 0, unnamed: 0, ok: 0 };
    counts[c.command] = cmd;
    cmd[cls]++;
    results.push(JSON.stringify({ id, command: c.command, kind: c.kind, cls, why, code: o.code, signal: o.signal, ms: Math.round(o.ms), argv: c.argv }));
    if (cls !== 'ok') {
      const sig = signature(c, cls, why, o);
      const k = kinds.get(sig) ?? { count: 0, ids: [] };
      k.count++;
      if (k.ids.length < first) {
        k.ids.push(id);
        const keep = join(failDir, `${cls}-${id}`);
        mkdirSync(keep, { recursive: true });
        writeFileSync(
          join(keep, 'case.txt'),
          `${describe(c)}\nexpect: ${c.expect}${c.names ? ` (names: ${c.names.join(', ')})` : ''}\nclass: ${cls}: ${why}\nexit: ${o.code} signal: ${o.signal} ${Math.round(o.ms)} ms\n--- stderr\n${o.stderr.slice(0, 4000)}\n--- stdout\n${o.stdout.slice(0, 2000)}\n`,
        );
        writeFileSync(
          join(keep, 'repro.sh'),
          `#!/bin/sh\n# ${cls}: ${why}\n# the case's files again: npx tsx bench/fuzz/run.ts --seed ${seed} --only ${id} --keep\ncd "$(dirname "$0")/files" && node ${CLI} ${c.argv.map(shellQuote).join(' ')}${c.stdin?.kind === 'devzero' ? ' < /dev/zero' : c.stdin ? ' < ../stdin' : ''}\n`,
        );
        if (c.stdin?.kind === 'data') writeFileSync(join(keep, 'stdin'), c.stdin.data);
        // the files themselves (specials made again by --keep; regular files copied here)
        for (const f of c.files) {
          if (f.kind !== 'file') continue;
          const p = join(keep, 'files', f.path);
          mkdirSync(join(p, '..'), { recursive: true });
          writeFileSync(p, f.data);
        }
      }
      kinds.set(sig, k);
    }
    if (values.keep) process.stderr.write(`kept ${dir}\n`);
    else cleanup(dir, servers);
    for (const s of values.keep ? servers : []) s.close();
    done++;
    if (done % 250 === 0) writeSummary();
    if (done % 100 === 0 || ids.length < 100) process.stderr.write(`\r${done}/${ids.length} ${((performance.now() - started) / 1000).toFixed(0)} s`);
  };
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      while (next < ids.length) await runOne(ids[next++] as number);
    }),
  );
  process.stderr.write('\n');
  const md = writeSummary();
  process.stdout.write(`${md.split('\n## ')[0]}\nsummary: ${join(out, 'summary.md')}\n`);
  const totals = summaryTotals();
  if (!values.keep) rmSync(work, { recursive: true, force: true });
  process.exitCode = totals.crash + totals.hang + totals.loss + totals['wrong-exit'] ? 1 : 0;
}

await main();
