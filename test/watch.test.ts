// `mnlint watch` on a public-inbox v2 archive the test builds: a bare
// git/0.git whose commits each add one message as `m`. The drv v2 series
// arrives in two runs (cover and 2/2 first, then the reply and 1/2), beside
// a series that touches no notifier code.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { REPO, withoutNewestNote } from './helpers.js';
import { needProgram, skipUnless } from './needs.js';

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
  return readdirSync(dir)
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
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
  const r = spawnSync(process.execPath, [join(REPO, 'dist/cli.js'), 'watch', '--public-inbox', inbox, '--outbox', outbox, '--tree', join(REPO, 'fixtures/trees/drv')], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const replies = (): string[] =>
  readdirSync(outbox)
    .filter((f) => !f.startsWith('.'))
    .sort();

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
    expect(withoutNewestNote(first.stderr)).toBe('');
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
    // the footer names each patch by its Message-ID and the bot's tree as LINUX: no path of the bot's machine goes to the list
    for (const f of written) {
      const text = readFileSync(join(outbox, f), 'utf8');
      const id = /^In-Reply-To: <(.*)>$/m.exec(text)![1]!;
      expect(text).toContain(`\nReproduce with: b4 am -o - -v 2 ${id} | mnlint patch --tree LINUX --filter added -\n`);
      expect(text).not.toContain(REPO);
    }
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
    expect([r.status, r.stderr]).toEqual([2, `mnlint: --public-inbox ${outbox}: no such file or directory\n`]);
    mkdirSync(outbox, { recursive: true });
    writeFileSync(join(outbox, '.mnlint-watch-state.json'), '{"version": 1, "epochs": ');
    const broken = watch();
    expect(broken.code).toBe(2);
    expect(withoutNewestNote(broken.stderr)).toMatch(/^mnlint: .*\.mnlint-watch-state\.json: the state file is not JSON \(.*\); remove it to start over\n$/);
  });
});

describe('mnlint watch on an archive written by public-inbox itself', () => {
  test('two versions of a series, the first posted in two parts: every reply kept, threaded and addressed as on the list', (ctx) => {
    skipUnless(ctx, needProgram('public-inbox-init', 'public-inbox'), needProgram('public-inbox-mda', 'public-inbox'));
    const top = mkdtempSync(join(tmpdir(), 'mnlint-pi-'));
    const env = { ...process.env, HOME: join(top, 'home'), PI_CONFIG: join(top, 'config') };
    mkdirSync(env.HOME);
    const inboxDir = join(top, 'inbox');
    const run = (cmd: string, args: string[], input?: string): void => {
      const r = spawnSync(cmd, args, { env: { ...env, ORIGINAL_RECIPIENT: 'drv@lists.example.org' }, input, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
    };
    run('public-inbox-init', ['-V2', 'drv', inboxDir, 'http://example.invalid/drv', 'drv@lists.example.org']);
    // no spamc here: the mda takes every message
    run('git', ['config', '-f', env.PI_CONFIG, 'publicinboxmda.spamcheck', 'none']);
    const addressed = (m: string): string => m.replace(/^(From: [^\n]*\n)/m, '$1To: Mai Ntainer <mai@example.org>\nCc: drv@lists.example.org, Rev Iewer <rev@example.org>\n');
    const v2 = fixtureMails().map(addressed);
    // v1: the same series, other ids and no version tag
    const v1 = v2.map((m) =>
      m
        .replaceAll('.1795308620.', '.1795000000.')
        .replaceAll('[PATCH v2 ', '[PATCH ')
        .replace(/^Message-Id: <reply-1@/m, 'Message-Id: <reply-0@'),
    );
    const [cover1, reply1, two1, one1] = v1 as [string, string, string, string];
    const out = join(top, 'outbox');
    const watchIt = (): string => {
      const r = spawnSync(process.execPath, [join(REPO, 'dist/cli.js'), 'watch', '--public-inbox', inboxDir, '--outbox', out, '--tree', join(REPO, 'fixtures/trees/drv')], { encoding: 'utf8', env });
      expect(withoutNewestNote(r.stderr)).toBe('');
      return r.stdout;
    };
    for (const m of [cover1, two1]) run('public-inbox-mda', ['--no-precheck'], m);
    expect(watchIt()).toContain('1 series incomplete');
    for (const m of [reply1, one1]) run('public-inbox-mda', ['--no-precheck'], m);
    expect(watchIt()).toContain('1 series reviewed');
    for (const m of v2) run('public-inbox-mda', ['--no-precheck'], m);
    expect(watchIt()).toContain('1 series reviewed');
    // four replies, none overwritten: v1 2/2 and v2 2/2 have their own files
    const files = readdirSync(out)
      .filter((f) => !f.startsWith('.'))
      .sort();
    expect(files).toHaveLength(4);
    const texts = files.map((f) => readFileSync(join(out, f), 'utf8'));
    const header = (text: string, name: string): string | undefined => new RegExp(`^${name}: (.*)$`, 'm').exec(text.split('\n\n')[0]!)?.[1];
    const twoV2 = texts.find((t) => header(t, 'Subject') === 'Re: [PATCH v2 2/2] drm/drv: flush the GPU caches on invalidation')!;
    const twoV1 = texts.find((t) => header(t, 'Subject') === 'Re: [PATCH 2/2] drm/drv: flush the GPU caches on invalidation')!;
    expect(twoV1).toBeDefined();
    expect(header(twoV2, 'To')).toBe('Ann Dev <ann@example.org>');
    expect(header(twoV2, 'Cc')).toBe('mai@example.org, drv@lists.example.org, rev@example.org');
    expect(header(twoV2, 'In-Reply-To')).toBe('<641a9053f69fff1552d66bff712442711af4c49b.1795308620.git.maintainers@example.org>');
    expect(header(twoV2, 'References')).toBe('<cover.1795308620.git.maintainers@example.org> <641a9053f69fff1552d66bff712442711af4c49b.1795308620.git.maintainers@example.org>');
  });
});
