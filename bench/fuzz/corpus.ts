// The campaign's real inputs: the notifier users of the unpacked 6.12 tree,
// the seed mails (../shared/seeds), the traffic mails (.cache/traffic, when
// present; read here, never copied into the repository), the repository's own
// patch fixtures, and mails made from the rule fixtures' bad.c (own minimal C
// with findings: the good input of the loss cases).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const CLI = join(REPO, 'dist', 'cli.js');
export const KERNEL = join(REPO, '.cache', 'kernels', 'linux-6.12');

export interface Text {
  name: string;
  text: string;
}

export interface Corpus {
  /** 6.12 .c files using the notifier APIs (at most 64 KB, so most cases stay fast). */
  drivers: Text[];
  /** Real patch mails and diffs. */
  patches: Text[];
  /** Own C with findings (the rule fixtures' bad.c). */
  goodC: Text[];
  /** A mail adding one goodC file as a new driver: findings without --tree. */
  goodPatches: Text[];
}

const MAX_DRIVER = 64 * 1024;

function notifierUsers(cacheDir: string): string[] {
  const list = join(cacheDir, 'drivers-6.12.txt');
  if (existsSync(list)) return readFileSync(list, 'utf8').split('\n').filter(Boolean);
  if (!existsSync(KERNEL)) return [];
  const r = spawnSync('grep', ['-rlE', '--include=*.c', 'mmu_interval_notifier|mmu_notifier_ops', 'drivers', 'mm', 'virt', 'arch', 'kernel'], { cwd: KERNEL, encoding: 'utf8', maxBuffer: 1 << 24 });
  const files = r.stdout.split('\n').filter(Boolean).sort();
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(list, `${files.join('\n')}\n`);
  return files;
}

function readDir(dir: string, keep: (name: string) => boolean): Text[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter(keep)
    .sort()
    .filter((n) => statSync(join(dir, n)).isFile())
    .map((n) => ({ name: n, text: readFileSync(join(dir, n), 'latin1') }));
}

/** A format-patch mail adding `c` as drivers/misc/<name>.c. */
export function newFileMail(name: string, c: string, subject = `drv: add ${name}`): string {
  const lines = c.endsWith('\n') ? c.slice(0, -1).split('\n') : c.split('\n');
  const path = `drivers/misc/${name}.c`;
  return [
    'From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001',
    'From: Ann Dev <ann@example.org>',
    'Date: Mon, 1 Dec 2025 10:00:00 +0000',
    `Subject: [PATCH] ${subject}`,
    '',
    '---',
    '',
    `diff --git a/${path} b/${path}`,
    'new file mode 100644',
    'index 0000000..1111111',
    '--- /dev/null',
    `+++ b/${path}`,
    `@@ -0,0 +1,${lines.length} @@`,
    ...lines.map((l) => `+${l}`),
    '-- ',
    '2.40.0',
    '',
    '',
  ].join('\n');
}

export function loadCorpus(cacheDir: string, opts: { kernel?: boolean; traffic?: boolean } = {}): Corpus {
  const drivers: Text[] = [];
  if (opts.kernel !== false) {
    for (const rel of notifierUsers(cacheDir)) {
      const p = join(KERNEL, rel);
      if (!existsSync(p) || statSync(p).size > MAX_DRIVER) continue;
      drivers.push({ name: rel, text: readFileSync(p, 'latin1') });
    }
  }
  const rulesDir = join(REPO, 'fixtures', 'rules');
  const goodC = readdirSync(rulesDir)
    .sort()
    .filter((r) => existsSync(join(rulesDir, r, 'bad.c')))
    .map((r) => ({ name: `${r}.c`, text: readFileSync(join(rulesDir, r, 'bad.c'), 'latin1') }));
  const patches = [
    ...readDir(join(REPO, 'fixtures', 'patches'), (n) => /\.(diff|patch|mbox)$/.test(n)),
    ...readDir(resolve(REPO, '..', 'shared', 'seeds'), () => true),
    ...(opts.traffic === false ? [] : readDir(join(REPO, '.cache', 'traffic'), (n) => n.endsWith('.eml'))),
  ];
  const goodPatches = goodC.map((g) => ({ name: `${basename(g.name, '.c')}.patch`, text: newFileMail(`fuzzgood_${basename(g.name, '.c').replace(/-/g, '_')}`, g.text) }));
  return { drivers, patches, goodC, goodPatches };
}
