// Issue 5 figures: the size of dist/action.js, and its cold start on a
// 20-file pull request: `node dist/action.js` from process start to exit,
// reviewing a pull request that touches the 20 Linux 6.12 files defining
// notifier ops tables (their directories, the core and its header are in the
// repository), against the local fake GitHub API (goal: under 2 s).
//   npx tsx bench/action.ts [--runs N] [--kernel DIR]
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fail, median, option } from './lib.mjs';
import { FakeGitHub } from '../test/fake-github.js';
import { kernelDir } from '../test/kernel-trees.js';

const runs = Number(option('--runs', '7'));
const kernel = resolve(option('--kernel', kernelDir('6.12')));
const repoRoot = resolve(import.meta.dirname, '..');
const action = join(repoRoot, 'dist', 'action.js');
const cli = join(repoRoot, 'dist', 'cli.js');
if (!existsSync(action) || !existsSync(cli)) fail('dist/ is missing: run `npm run build`');
if (!existsSync(join(kernel, 'MAINTAINERS'))) fail(`${kernel} is not a kernel tree: run scripts/fetch-kernels.sh`);

const inventory = JSON.parse(spawnSync(process.execPath, [cli, 'inventory', '--format', 'json', '.'], { cwd: kernel, encoding: 'utf8', maxBuffer: 1 << 26 }).stdout) as { tables: Array<{ file: string }> };
const files = [...new Set(inventory.tables.map((t) => t.file))].sort();

const dir = mkdtempSync(join(tmpdir(), 'mnlint-bench-action-'));
const repo = join(dir, 'linux');
const git = (...a: string[]): string => {
  const r = spawnSync('git', ['-C', repo, '-c', 'user.name=Bench', '-c', 'user.email=bench@example.invalid', ...a], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) fail(`git ${a[0]}: ${r.stderr.trim()}`);
  return r.stdout.trim();
};
const gh = new FakeGitHub();
try {
  mkdirSync(repo);
  for (const d of [...new Set(files.map((f) => dirname(f)))]) cpSync(join(kernel, d), join(repo, d), { recursive: true });
  for (const f of ['include/linux/mmu_notifier.h', 'mm/mmu_notifier.c']) {
    mkdirSync(dirname(join(repo, f)), { recursive: true });
    cpSync(join(kernel, f), join(repo, f));
  }
  spawnSync('git', ['init', '-q', '-b', 'main', repo]);
  git('add', '-A');
  git('commit', '-qm', 'base');
  const base = git('rev-parse', 'HEAD');
  // the pull request: one added line at the end of each of the 20 files
  for (const f of files) appendFileSync(join(repo, f), '/* touched by the benchmark */\n');
  git('commit', '-qam', 'touch the 20 files');
  const head = git('rev-parse', 'HEAD');
  const event = join(dir, 'event.json');
  writeFileSync(event, readFileSync(join(repoRoot, 'fixtures/action/pull_request.json'), 'utf8').replaceAll('BASE_SHA', base).replaceAll('HEAD_SHA', head).replaceAll('HEAD_OWNER', 'octo-gpu'));
  await gh.start();

  const once = (): Promise<{ seconds: number; code: number | null; out: string }> =>
    new Promise((ok) => {
      const t = process.hrtime.bigint();
      const child = spawn(process.execPath, [action], {
        cwd: repo,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          GITHUB_WORKSPACE: repo,
          GITHUB_API_URL: gh.url,
          GITHUB_EVENT_NAME: 'pull_request',
          GITHUB_EVENT_PATH: event,
          'INPUT_GITHUB-TOKEN': 'ghs_test_token',
          'INPUT_FAIL-ON': 'never',
        },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', (code) => ok({ seconds: Number(process.hrtime.bigint() - t) / 1e9, code, out }));
    });
  const first = await once();
  if (first.code !== 0) fail(`the action failed: ${first.out.trim()}`);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    // every run a cold process; the fake API starts empty each time, so each run posts its review
    gh.comments = [];
    gh.reviews = [];
    const r = await once();
    if (r.code !== 0) fail(`the action failed: ${r.out.trim()}`);
    times.push(r.seconds);
  }
  const bytes = statSync(action).size;
  const summary = /pull request #7: .*/.exec(first.out)?.[0] ?? '';
  console.log(`dist/action.js: ${(bytes / 1024 / 1024).toFixed(2)} MiB (${(gzipSync(readFileSync(action)).length / 1024 / 1024).toFixed(2)} MiB gzipped)`);
  console.log(`cold start on a ${files.length}-file pull request (${summary}), ${runs} runs: median ${median(times).toFixed(3)} s, max ${Math.max(...times).toFixed(3)} s`);
  console.log(`goal under 2 s: ${median(times) < 2 ? 'met' : 'NOT met'}`);
} finally {
  await gh.stop();
  rmSync(dir, { recursive: true, force: true });
}
