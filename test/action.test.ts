// The GitHub Action, run as the built bundle (dist/action.js) against a local
// server on 127.0.0.1 that plays the GitHub REST API (fake-github.ts), with a pull_request
// payload and a git repository built from the fixtures (base: the fixture
// tree; head: the drv v2 series applied with `git am`). The bundle runs under
// the machine's Node here, and under Node 24 in test/action-node24.test.ts.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { actionRuntime } from './action-node.js';
import { bodyProblem, FakeGitHub } from './fake-github.js';
import { REPO } from './helpers.js';

const ACTION = resolve(REPO, 'dist', 'action.js');
const FILE = 'drivers/gpu/drm/drv/drv_mn.c';

let repo = '';
let base = '';
let head = '';
const gh = new FakeGitHub();

/** git's output as it is (a diff's last context line may be a lone space). */
function gitRaw(...args: string[]): string {
  const r = spawnSync('git', ['-C', repo, '-c', 'user.name=Ann Dev', '-c', 'user.email=ann@example.org', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

const git = (...args: string[]): string => gitRaw(...args).trim();

function payload(headOwner: string, baseSha = base): string {
  const path = join(repo, '..', `event-${headOwner}-${baseSha}.json`);
  const text = readFileSync(join(REPO, 'fixtures/action/pull_request.json'), 'utf8').replaceAll('BASE_SHA', baseSha).replaceAll('HEAD_SHA', head).replaceAll('HEAD_OWNER', headOwner);
  writeFileSync(path, text);
  return path;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: string;
}

/** Runs the bundle as the runner would; asynchronous, so the fake API keeps answering. */
function runAction(env: Record<string, string>): Promise<Run> {
  const outputs = join(repo, '..', `output-${Date.now()}-${Math.random()}`);
  writeFileSync(outputs, '');
  return new Promise((ok) => {
    const child = spawn(actionRuntime.node, [ACTION], {
      cwd: repo,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GITHUB_WORKSPACE: repo,
        GITHUB_API_URL: gh.url,
        GITHUB_OUTPUT: outputs,
        GITHUB_ACTION_REPOSITORY: 'mnlint/mnlint',
        GITHUB_ACTION_REF: 'v1',
        'INPUT_GITHUB-TOKEN': 'ghs_test_token',
        INPUT_PATH: '.',
        'INPUT_FAIL-ON': 'error',
        INPUT_FILTER: 'added',
        INPUT_REVIEW: 'true',
        INPUT_ANNOTATIONS: 'true',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => ok({ code, stdout, stderr, outputs: readFileSync(outputs, 'utf8') }));
  });
}

beforeAll(async () => {
  if (!existsSync(ACTION)) throw new Error('dist/action.js is missing: run `npm run build`');
  const dir = mkdtempSync(join(tmpdir(), 'mnlint-action-'));
  repo = join(dir, 'linux');
  cpSync(join(REPO, 'fixtures/trees/drv'), repo, { recursive: true });
  spawnSync('git', ['init', '-q', '-b', 'main', repo]);
  git('add', '-A');
  git('commit', '-qm', 'drm/drv: initial');
  base = git('rev-parse', 'HEAD');
  // the series' patches out of the mbox (it also holds a cover letter and a reply), in order
  const split = join(dir, 'mails');
  mkdirSync(split);
  git('mailsplit', `-o${split}`, join(REPO, 'fixtures/patches/drv-v2.mbox'));
  const mails = readdirSync(split)
    .map((f) => join(split, f))
    .filter((f) => /^Subject: \[PATCH v2 [12]\/2\]/m.test(readFileSync(f, 'utf8')));
  mails.sort((a, b) => /\[PATCH v2 (\d)/.exec(readFileSync(a, 'utf8'))![1]!.localeCompare(/\[PATCH v2 (\d)/.exec(readFileSync(b, 'utf8'))![1]!));
  git('am', '-q', ...mails);
  head = git('rev-parse', 'HEAD');
  await gh.start();
});

afterAll(() => gh.stop());

describe('GitHub Action on a pull request', () => {
  test('one review with an inline comment per finding on the added lines', async () => {
    // one 500 on the first read and a secondary rate limit on the review: both retried
    gh.faults.push({ method: 'GET', path: /\/pulls\/7\/comments$/, status: 500, message: 'Server Error' });
    gh.faults.push({ method: 'POST', path: /\/pulls\/7\/reviews$/, status: 403, headers: { 'retry-after': '1' }, message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' });
    // a human's comment on the pull request is left alone
    gh.comments.push({ id: 1, body: 'Why not GFP_NOWAIT here?', path: FILE, line: 51, side: 'RIGHT', user: { login: 'maintainer' } });
    const r = await runAction({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload('octo-gpu') });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const posts = gh.writes();
    // the rate-limited attempt, then the review itself
    expect(posts.map((p) => `${p.method} ${p.path}`)).toEqual(['POST /repos/octo-gpu/linux/pulls/7/reviews', 'POST /repos/octo-gpu/linux/pulls/7/reviews']);
    const review = posts[1]!.body as { commit_id: string; event: string; body: string; comments: Array<{ path: string; line: number; side: string; body: string }> };
    expect(review.commit_id).toBe(head);
    expect(review.event).toBe('COMMENT');
    expect(review.body).toContain('2 errors, 0 warnings, 0 infos');
    expect(review.comments.map((c) => `${c.path}:${c.line}:${c.side}`)).toEqual([`${FILE}:23:RIGHT`, `${FILE}:51:RIGHT`]);
    expect(review.comments[0]!.body).toMatch(
      /^<!-- mnlint:v1 [0-9a-f]{32} -->\n\*\*ERROR\*\* \[`range-end-with-failing-start`\]\(https:\/\/github\.com\/mnlint\/mnlint\/blob\/v1\/docs\/rules\/range-end-with-failing-start\.md\) \(I2\): /,
    );
    expect(review.comments[1]!.body).toContain('<details><summary>trace</summary>');
    // every comment page was read (two a page) and the 500 retried
    expect(gh.requests.filter((q) => q.method === 'GET' && q.path.endsWith('/comments')).length).toBeGreaterThanOrEqual(2);
    expect(r.outputs).toContain('findings=2\n');
    expect(r.outputs).toContain('errors=2\n');
    // everything went inline: no annotation repeats it
    expect(r.stdout).not.toMatch(/^::error file=/m);
    expect(r.stdout).not.toContain('ghs_test_token');
    expect(gh.invalid).toEqual([]);
  });

  test('a re-run makes no new comments; a changed finding is edited, a gone one marked resolved', async () => {
    gh.requests = [];
    const again = await runAction({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload('octo-gpu') });
    expect(again.code).toBe(1);
    expect(gh.writes()).toEqual([]);

    // the bot's first comment as an older mnlint worded it, and a comment whose finding is gone
    const ours = gh.comments.filter((c) => c.body.startsWith('<!-- mnlint:v1'));
    expect(ours).toHaveLength(2);
    ours[0]!.body = ours[0]!.body.replace('can fail', 'may fail');
    gh.comments.push({ id: 999, body: '<!-- mnlint:v1 0123456789abcdef0123456789abcdef -->\n**ERROR** `finish-without-start` (I3): gone', path: FILE, line: 40, side: 'RIGHT', user: { login: 'github-actions[bot]' } });
    gh.requests = [];
    const third = await runAction({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload('octo-gpu') });
    expect(third.code).toBe(1);
    const writes = gh.writes();
    expect(writes.map((w) => `${w.method} ${w.path}`).sort()).toEqual([`PATCH /repos/octo-gpu/linux/pulls/comments/${ours[0]!.id}`, 'PATCH /repos/octo-gpu/linux/pulls/comments/999']);
    expect(gh.comments.find((c) => c.id === ours[0]!.id)!.body).toContain('can fail');
    expect(gh.comments.find((c) => c.id === 999)!.body).toMatch(/^<!-- mnlint:v1 0123456789abcdef0123456789abcdef resolved -->\n\*\*Resolved\*\*/);
    expect(gh.reviews).toHaveLength(1);
    expect(gh.invalid).toEqual([]);
  });

  test('without the base commit in the checkout, the changed hunks come from the API', async () => {
    // what GitHub lists for the pull request: each file's hunks without the headers
    gh.files = [{ filename: FILE, status: 'modified', patch: gitRaw('diff', base, head, '--', FILE).replace(/\n$/, '').split('\n').slice(4).join('\n') }];
    gh.requests = [];
    const r = await runAction({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload('octo-gpu', 'f'.repeat(40)) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${'f'.repeat(12)} is not in the checkout; the changed hunks come from the API`);
    expect(gh.requests.some((q) => q.path === '/repos/octo-gpu/linux/pulls/7/files')).toBe(true);
    // the same two findings, already commented: nothing to write
    expect(r.stdout).toContain('2 findings (2 on the diff)');
    expect(gh.writes()).toEqual([]);
  });

  test('the schema check would catch a malformed body', () => {
    expect(bodyProblem('POST', '/repos/o/r/pulls/7/reviews', { event: 'COMMENT', comments: [{ path: FILE, line: '23', body: 'x' }] })).toMatch(/comments\.0\.line/);
    expect(bodyProblem('PATCH', '/repos/o/r/pulls/comments/5', {})).toMatch(/body/);
    expect(bodyProblem('DELETE', '/repos/o/r/pulls/comments/5', null)).toMatch(/no request-body schema/);
  });

  test('a pull request from a fork: no write calls, annotations instead', async () => {
    gh.requests = [];
    const sarif = 'mnlint.sarif';
    const r = await runAction({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload('ann-dev'), 'INPUT_SARIF-FILE': sarif });
    expect(r.code).toBe(1);
    expect(gh.writes()).toEqual([]);
    expect(r.stdout).toContain('pull request from a fork (ann-dev/linux)');
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::error file='));
    expect(annotations.map((l) => /^::error file=([^,]+),line=(\d+),/.exec(l)!.slice(1).join(':'))).toEqual([`${FILE}:23`, `${FILE}:51`]);
    expect(annotations[0]).toContain('title=mnlint range-end-with-failing-start (I2)');
    const run = JSON.parse(readFileSync(join(repo, sarif), 'utf8')).runs[0];
    expect(run.results).toHaveLength(2);
    // what the run assumed: the tree has no notifier header, so the newest level, said so
    expect(run.properties.assumptions.api).toMatchObject({ source: 'newest', from: expect.stringMatching(/^no include\/linux\/mmu_notifier\.h /) });
    expect(r.stdout).toMatch(/^mnlint: API level \S+, no include\/linux\/mmu_notifier\.h /m);
    expect(r.outputs).toContain(`sarif-file=${sarif}\n`);
  });

  test('bad input: one ::error:: line, exit 2', async () => {
    const r = await runAction({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload('octo-gpu'), 'INPUT_FAIL-ON': 'sometimes' });
    expect(r.code).toBe(2);
    expect(r.stdout.trim()).toBe('::error::mnlint: input fail-on: "sometimes" is not one of error, warning, info, never');
  });
});

describe('GitHub Action with the new filter (the default)', () => {
  test('a pull request that only deletes mmu_interval_set_seq gets an inline comment after the deletion', async () => {
    const saved = { repo, base, head };
    const dir = mkdtempSync(join(tmpdir(), 'mnlint-action-del-'));
    repo = join(dir, 'linux');
    try {
      cpSync(join(REPO, 'fixtures/trees/drv'), repo, { recursive: true });
      spawnSync('git', ['init', '-q', '-b', 'main', repo]);
      git('add', '-A');
      git('commit', '-qm', 'drm/drv: initial');
      base = git('rev-parse', 'HEAD');
      const path = join(repo, FILE);
      const text = readFileSync(path, 'utf8');
      const edited = text.replace('\t\treturn false;\n\tmmu_interval_set_seq(mni, cur_seq);\n', '\t\treturn false;\n');
      expect(edited).not.toBe(text);
      writeFileSync(path, edited);
      git('commit', '-qam', 'drm/drv: drop the sequence update');
      head = git('rev-parse', 'HEAD');
      gh.requests = [];
      gh.comments.length = 0;
      gh.reviews.length = 0;
      const r = await runAction({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload('octo-gpu'), INPUT_FILTER: 'new' });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      const review = gh.writes().find((p) => p.path.endsWith('/reviews'))!.body as { comments: Array<{ path: string; line: number; side: string; body: string }> };
      // on the deleted line, the left side of the diff
      expect(review.comments.map((c) => `${c.path}:${c.line}:${c.side}`)).toEqual([`${FILE}:47:LEFT`]);
      expect(review.comments[0]!.body).toContain('invalidate-without-set-seq');
      // the model's counterexample, drawn by GitHub's mermaid, folded under the trace
      expect(review.comments[0]!.body).toMatch(
        /<\/details>\n\n<details><summary>sequence diagram<\/summary>\n\n```mermaid\nsequenceDiagram\n {2}participant L0 as CPU\n {2}participant L1 as mm\/mmu_notifier\.c\n[\s\S]*\n```\n\n<\/details>$/,
      );
      // with added, a deletion has nothing to comment on
      gh.requests = [];
      gh.comments.length = 0;
      gh.reviews.length = 0;
      const old = await runAction({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload('octo-gpu'), INPUT_FILTER: 'added' });
      expect(old.code).toBe(0);
    } finally {
      ({ repo, base, head } = saved);
    }
  });
});

describe('GitHub Action under API faults: one review, no hang, named failures', () => {
  const fresh = (): void => {
    gh.requests = [];
    gh.comments.length = 0;
    gh.reviews.length = 0;
    gh.faults.length = 0;
  };

  test('a 502 after GitHub applied the review: read back, not posted twice', async () => {
    fresh();
    gh.faults.push({ method: 'POST', path: /\/pulls\/7\/reviews$/, status: 502, message: 'Bad Gateway', mode: 'after' });
    const r = await runAction({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload('octo-gpu') });
    expect(r.stderr).toBe('');
    expect(gh.writes().filter((p) => p.path.endsWith('/reviews'))).toHaveLength(1);
    expect(gh.reviews).toHaveLength(1);
    expect(gh.comments).toHaveLength(2);
    expect(r.stdout).toContain('2 new comments in 1 review(s)');
  });

  test('an API that accepts and never answers: named after the request timeout, annotations instead, a job summary', async () => {
    fresh();
    // one stalled read is retried after the timeout and the review goes out
    gh.faults.push({ method: 'GET', path: /\/pulls\/7\/comments$/, status: 200, message: '', mode: 'stall' });
    const once = await runAction({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload('octo-gpu'), 'INPUT_REQUEST-TIMEOUT': '2' });
    expect(once.stdout).toContain('2 new comments in 1 review(s)');
    // every attempt stalled: named, and the findings go to annotations
    fresh();
    for (let i = 0; i < 3; i++) gh.faults.push({ method: 'GET', path: /\/pulls\/7\/comments$/, status: 200, message: '', mode: 'stall' });
    const summary = join(repo, '..', `summary-${Date.now()}.md`);
    const started = Date.now();
    const r = await runAction({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload('octo-gpu'), 'INPUT_REQUEST-TIMEOUT': '2', GITHUB_STEP_SUMMARY: summary });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/cannot post the review \(no answer in 2 s on GET .*\/pulls\/7\/comments.*\): findings go to annotations/);
    expect(r.stdout).toMatch(/^::error file=/m);
    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('## mnlint');
    expect(md).toContain('2 errors, 0 warnings, 0 infos.');
    expect(md).toMatch(/^Checked at API level \S+, no include\/linux\/mmu_notifier\.h at or above the tree\.$/m);
    expect(md).toContain('| error | [`range-end-with-failing-start`](https://github.com/mnlint/mnlint/blob/v1/docs/rules/range-end-with-failing-start.md) |');
  });

  test("the run's deadline ends every wait: no hang past it", async () => {
    fresh();
    for (let i = 0; i < 3; i++) gh.faults.push({ method: 'GET', path: /\/pulls\/7\/comments$/, status: 200, message: '', mode: 'stall' });
    const started = Date.now();
    const r = await runAction({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload('octo-gpu'), 'INPUT_REQUEST-TIMEOUT': '60', INPUT_DEADLINE: '2' });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.stdout).toMatch(/cannot post the review \(the run's deadline passed during GET .*\/pulls\/7\/comments.*\): findings go to annotations/);
    expect(r.code).toBe(1);
  });

  test('a refused connection is named as the network, not as HTTP 500', async () => {
    fresh();
    // a port that was open a moment ago: nothing listens there now
    const { createServer } = await import('node:net');
    const probe = createServer();
    const port = await new Promise<number>((ok) => probe.listen(0, '127.0.0.1', () => ok((probe.address() as { port: number }).port)));
    await new Promise((ok) => probe.close(ok));
    const r = await runAction({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload('octo-gpu'), GITHUB_API_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`cannot post the review (cannot reach http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(r.stdout).not.toContain('HTTP 500');
  });

  test('a secondary rate limit without retry-after: a bounded, logged wait, then annotations', async () => {
    fresh();
    gh.faults.push({ method: 'GET', path: /\/pulls\/7\/comments$/, status: 403, message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' });
    const started = Date.now();
    const r = await runAction({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload('octo-gpu') });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.stdout).toMatch(/secondary rate limit on GET .*: GitHub asks for 60 s, more than 30 s; not waiting/);
    expect(r.stdout).toContain('findings go to annotations');
  });

  test('one malformed file patch from the API: that file is named and skipped, the others reviewed', async () => {
    fresh();
    gh.files = [
      { filename: 'drivers/other/broken.c', status: 'modified', patch: '@@ -1,3 +1,9 @@\n-x\n' },
      { filename: FILE, status: 'modified', patch: gitRaw('diff', base, head, '--', FILE).replace(/\n$/, '').split('\n').slice(4).join('\n') },
    ];
    const r = await runAction({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload('octo-gpu', 'f'.repeat(40)) });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^::warning::mnlint: drivers\/other\/broken\.c: not a unified diff .*; that file is not reviewed$/m);
    expect(r.stdout).toContain('2 findings (2 on the diff)');
  });
});

describe('GitHub Action on push', () => {
  test('the tree scanned, annotations written, no API call', async () => {
    gh.requests = [];
    const r = await runAction({ GITHUB_EVENT_NAME: 'push', 'INPUT_FAIL-ON': 'never' });
    expect(r.code).toBe(0);
    expect(gh.requests).toEqual([]);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('::error file=')).length).toBe(2);
  });

  test('the config input: a rule turned off; a bad file is one ::error:: line, exit 2', async () => {
    writeFileSync(join(repo, '..', 'mnlint.json'), JSON.stringify({ rules: { 'sleeping-gfp-in-first-pass': 'off' } }));
    const r = await runAction({ GITHUB_EVENT_NAME: 'workflow_dispatch', INPUT_CONFIG: '../mnlint.json', 'INPUT_FAIL-ON': 'never' });
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .split('\n')
        .filter((l) => l.startsWith('::error file='))
        .map((l) => /title=mnlint ([\w-]+)/.exec(l)![1]),
    ).toEqual(['range-end-with-failing-start']);
    const bad = await runAction({ GITHUB_EVENT_NAME: 'workflow_dispatch', INPUT_CONFIG: 'missing.json' });
    expect(bad.code).toBe(2);
    expect(bad.stdout.trim()).toBe(`::error::mnlint: ${join(repo, 'missing.json')}: no such file or directory`);
  });
});
