// `mnlint watch` on a public-inbox v2 archive the test builds: a bare
// git/0.git whose commits each add one message as `m`. The drv v2 series
// arrives in two runs (cover and 2/2 first, then the reply and 1/2), beside
// a series that touches no notifier code.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { REPO, runCli } from './helpers.js';

let inbox = '';
let outbox = '';
let epoch = '';

function git(input: string | undefined, ...args: string[]): string {
  const r = spawnSync('git', ['--git-dir', epoch, '-c', 'user.name=public-inbox', '-c', 'user.email=pi@example.invalid', ...args], { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

/** public-inbox's way: each message a commit whose tree is the file `m`. */
function deliver(raw: string): void {
  const blob = git(raw, 'hash-object', '-w', '--stdin');
  const tree = git(`100644 blob ${blob}\tm\n`, 'mktree');
  // the first message has no parent: rev-parse answers nothing (status 1)
  const parent = spawnSync('git', ['--git-dir', epoch, 'rev-parse', '-q', '--verify', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  const commit = git('message\n', 'commit-tree', tree, ...(parent ? ['-p', parent] : []));
  git(undefined, 'update-ref', 'HEAD', commit);
}

/** The messages of the fixture mbox: cover, reply to 1/2, 2/2, 1/2. */
function fixtureMails(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'mnlint-mails-'));
  spawnSync('git', ['mailsplit', `-o${dir}`, join(REPO, 'fixtures/patches/drv-v2.mbox')]);
  return readdirSync(dir).sort().map((f) => readFileSync(join(dir, f), 'utf8'));
}

const OTHER = `From: Net Dev <net@example.org>
Subject: [PATCH] net/foo: fix a typo
Message-Id: <net-1@example.org>
Date: Sun, 22 Nov 2026 00:00:00 +0000

Signed-off-by: Net Dev <net@example.org>
---
diff --git a/drivers/net/foo.c b/drivers/net/foo.c
--- a/drivers/net/foo.c
+++ b/drivers/net/foo.c
@@ -1,3 +1,3 @@
 int foo(void)
 {
-	return 0; /* teh answer */
+	return 0; /* the answer */
`;

function watch(env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPO, 'dist/cli.js'), 'watch', '--public-inbox', inbox, '--outbox', outbox, '--tree', join(REPO, 'fixtures/trees/drv')], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const replies = (): string[] => readdirSync(outbox).filter((f) => !f.startsWith('.')).sort();

beforeEach(() => {
  inbox = mkdtempSync(join(tmpdir(), 'mnlint-inbox-'));
  outbox = join(inbox, '..', `${inbox.split('/').pop()}-outbox`);
  epoch = join(inbox, 'git', '0.git');
  mkdirSync(join(inbox, 'git'));
  spawnSync('git', ['init', '-q', '--bare', epoch]);
});

describe('mnlint watch --public-inbox', () => {
  test('a series is reviewed once it is whole; the next run reviews only new messages', () => {
    const [cover, reply, two, one] = fixtureMails() as [string, string, string, string];
    deliver(cover);
    deliver(two);
    deliver(OTHER);
    const first = watch();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('mnlint: 3 new messages, 0 series reviewed, 1 skipped (no notifier code), 0 replies, 1 series incomplete\n');
    deliver(reply);
    deliver(one);
    const second = watch();
    expect(second.stdout).toContain('mnlint: reviewed v2 "drm/drv: notifier fixes" (2 patches): 2 findings, 2 replies\n');
    expect(second.stdout).toContain('mnlint: 2 new messages, 1 series reviewed, 0 skipped (no notifier code), 2 replies, 0 series incomplete\n');
    const written = replies();
    expect(written).toHaveLength(2);
    expect(readFileSync(join(outbox, written[0]!), 'utf8')).toMatch(/^Subject: Re: \[PATCH v2 [12]\/2\]/m);
    // nothing new: nothing done
    const third = watch();
    expect(third.stdout).toBe('mnlint: 0 new messages, 0 series reviewed, 0 skipped (no notifier code), 0 replies, 0 series incomplete\n');
    // the same series sent again is not reviewed again
    deliver(one);
    expect(watch().stdout).toContain('1 new messages, 0 series reviewed');
  });

  test('a run killed after writing replies resumes without duplicates', () => {
    for (const m of fixtureMails()) deliver(m);
    const killed = watch({ MNLINT_WATCH_CRASH_AFTER: '1' });
    expect(killed.code).toBe(3);
    const before = replies().map((f) => [f, readFileSync(join(outbox, f), 'utf8')]);
    expect(before).toHaveLength(2);
    const resumed = watch();
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('1 series reviewed');
    expect(replies().map((f) => [f, readFileSync(join(outbox, f), 'utf8')])).toEqual(before);
    expect(watch().stdout).toContain('0 series reviewed');
  });

  test('not an archive, a broken state file: one line, exit 2', () => {
    const r = spawnSync(process.execPath, [join(REPO, 'dist/cli.js'), 'watch', '--public-inbox', outbox, '--outbox', outbox], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([2, `mnlint: ${outbox}: not a public-inbox v2 archive (no git/ folder)\n`]);
    mkdirSync(outbox, { recursive: true });
    writeFileSync(join(outbox, '.mnlint-watch-state.json'), '{"version": 1, "epochs": ');
    const broken = watch();
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^mnlint: .*\.mnlint-watch-state\.json: the state file is not JSON \(.*\); remove it to start over\n$/);
  });
});
