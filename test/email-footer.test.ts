// The e-mail reply's footer goes to a public list: its "Reproduce with" line
// names the patch by its Message-ID (else the input file by its base name) and
// the reviewer's tree as LINUX, never a local path.
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Patch } from '../src/input/patch.js';
import { reproduceLine } from '../src/report/email.js';
import { gitIn, REPO, runCli } from './helpers.js';

const MBOX = join(REPO, 'fixtures/patches/drv-v2.mbox');
const TREE = join(REPO, 'fixtures/trees/drv');

/** Each reply of an mbox on stdout: its In-Reply-To and its footer's command line. */
function footers(mbox: string): Array<{ inReplyTo: string | undefined; reproduce: string | undefined }> {
  return mbox
    .split(/^From mnlint Thu Jan {2}1 00:00:00 1970\n/m)
    .filter(Boolean)
    .map((mail) => ({ inReplyTo: /^In-Reply-To: (.*)$/m.exec(mail)?.[1], reproduce: /\n-- \n.*\nReproduce with: (.*)\n/.exec(mail)?.[1] }));
}

describe('the Reproduce with line', () => {
  test('an mbox given by its absolute path: each reply names its own patch by Message-ID, the tree as LINUX', () => {
    const r = runCli(['patch', '--tree', TREE, '--format', 'email', MBOX]);
    expect(r.code).toBe(1);
    const replies = footers(r.stdout);
    expect(replies).toHaveLength(2);
    for (const { inReplyTo, reproduce } of replies) {
      expect(reproduce).toBe(`b4 am -o - -v 2 ${inReplyTo!.slice(1, -1)} | mnlint patch --tree LINUX -`);
    }
    expect(replies.map((x) => x.inReplyTo)).toEqual([
      '<abdcc47d42da85d82d0601a037054c39a63e2edf.1795308620.git.maintainers@example.org>',
      '<641a9053f69fff1552d66bff712442711af4c49b.1795308620.git.maintainers@example.org>',
    ]);
    // no local path anywhere in the replies
    expect(r.stdout).not.toContain(REPO);
  });

  test('--output-dir writes the same footers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnlint-footer-'));
    const r = runCli(['patch', '--tree', TREE, '--format', 'email', '--output-dir', dir, MBOX]);
    expect(r.code).toBe(1);
    const texts = readdirSync(dir)
      .sort()
      .map((f) => readFileSync(join(dir, f), 'utf8'));
    expect(texts).toHaveLength(2);
    for (const t of texts) {
      expect(t).toMatch(/\nReproduce with: b4 am -o - -v 2 [0-9a-f]{40}\.1795308620\.git\.maintainers@example\.org \| mnlint patch --tree LINUX -\n$/);
      expect(t).not.toContain(REPO);
    }
  });

  test('a mail without a Message-ID: the file by its base name, the options that shape the findings kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnlint-footer-'));
    const file = join(dir, 'drv v2 1.patch');
    writeFileSync(file, readFileSync(join(REPO, 'fixtures/patches/drv-v2-1.patch'), 'utf8').replace(/^Message-Id: .*\n/m, ''));
    const r = runCli(['patch', '--tree', TREE, '--kernel', '6.12', '--filter', 'added', '--format', 'email', file]);
    expect(r.code).toBe(1);
    expect(footers(r.stdout).map((x) => x.reproduce)).toEqual(["mnlint patch --tree LINUX --kernel 6.12 --filter added 'drv v2 1.patch'"]);
    expect(r.stdout).not.toContain(dir);
    // from standard input: -
    const stdin = runCli(['patch', '--tree', TREE, '--format', 'email', '-'], { input: readFileSync(file, 'utf8') });
    expect(footers(stdin.stdout).map((x) => x.reproduce)).toEqual(['mnlint patch --tree LINUX -']);
  });

  test("git: the revision, run in the reader's clone (no --repo)", () => {
    const repo = mkdtempSync(join(tmpdir(), 'mnlint-footer-repo-'));
    cpSync(TREE, repo, { recursive: true });
    gitIn(repo, 'init', '-q');
    gitIn(repo, 'add', '-A');
    gitIn(repo, 'commit', '-q', '-m', 'base');
    gitIn(repo, 'am', '-q', join(REPO, 'fixtures/patches/drv-v2-1.patch'));
    const head = gitIn(repo, 'rev-parse', '--short=12', 'HEAD').trim();
    const r = runCli(['git', '--repo', repo, '--format', 'email', 'HEAD']);
    expect(r.code).toBe(1);
    const lines = footers(r.stdout).map((x) => x.reproduce);
    expect(lines).toEqual([`mnlint git ${head}`]);
    expect(r.stdout).not.toContain(repo);
  });

  test('words a shell would split or expand are quoted', () => {
    const p = { messageId: "<a$b'c@example.org>", version: 3, source: '/home/me/x.mbox' } as Patch;
    expect(reproduceLine(p, { command: 'patch', options: [], tree: true, repo: true, inputs: ['/home/me/x.mbox'] })).toBe(`b4 am -o - -v 3 'a$b'\\''c@example.org' | mnlint patch --repo LINUX --tree LINUX -`);
    const bare = { ...p, messageId: null };
    expect(reproduceLine(bare, { command: 'patch', options: ['--rule', 'sleep-in-non-blockable-range'], inputs: ['/home/me/v2/0001-a.patch', '/home/me/v2/0002-b.patch'] })).toBe(
      'mnlint patch --rule sleep-in-non-blockable-range 0001-a.patch 0002-b.patch',
    );
    expect(reproduceLine(bare, { command: 'git', options: ['--kernel', '6.1'], revision: 'v6.1..HEAD' })).toBe('mnlint git --kernel 6.1 v6.1..HEAD');
  });
});
