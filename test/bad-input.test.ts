// The bad-input promise on every command (issue 23): a FIFO, /dev/zero, a
// socket, a directory, a file whose read fails (EIO), a missing repository or
// a bad configuration, wherever a command reads a file, is one line naming it
// and exit 2: never a hang, never `internal error`. Run on the built CLI, on
// real special files made here.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, REPO, withoutNewestNote } from './helpers.js';

/** The CLI with a time limit: a hang fails the test instead of stalling the suite. */
function run(args: string[], cwd: string, input?: string): { code: number | null; stdout: string; stderr: string; signal: string | null } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', input: input ?? '', timeout: 30_000, env: { ...process.env, HOME: cwd } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

const EXAMPLE = join(REPO, 'fixtures/examples/drv_userptr.c');
/** /proc/self/mem reads fail with EIO at offset 0 (nothing is mapped there); stat calls it a regular file of size 0. */
const EIO_TARGET = '/proc/self/mem';

let dir: string;
let server: Server;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mnlint-badin-'));
  // git finds no repository above the temp dir, nor a .mnlint.json in $HOME
  copyFileSync(EXAMPLE, join(dir, 'ok.c'));
  expect(spawnSync('mkfifo', [join(dir, 'fifo')]).status).toBe(0);
  symlinkSync(EIO_TARGET, join(dir, 'eio.c'));
  mkdirSync(join(dir, 'adir'));
  server = createServer().listen(join(dir, 'sock'));
  await new Promise((r) => server.once('listening', r));
});

afterAll(() => {
  server?.close();
});

/** One line on stderr naming the input, exit 2, no stack, no `internal error`. */
function refused(r: ReturnType<typeof run>, line: RegExp | string): void {
  expect(r.signal).toBeNull();
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(r.code).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => l && !l.startsWith('mnlint: note:'));
  expect(lines).toHaveLength(1);
  if (typeof line === 'string') expect(lines[0]).toBe(line);
  else expect(lines[0]).toMatch(line);
}

describe('--config naming a special file, and such a .mnlint.json found: named, no hang', () => {
  const kinds: Array<[string, string]> = [
    ['fifo', 'a FIFO, not a regular file'],
    ['/dev/zero', 'a device, not a regular file'],
    ['sock', 'a socket, not a regular file'],
    ['adir', 'a directory, not a regular file'],
  ];
  const commands: Array<[string, string[]]> = [
    ['check', ['check', 'ok.c']],
    ['patch', ['patch', 'ok.c']],
    ['git', ['git', 'HEAD']],
    ['checklist', ['checklist', 'HEAD~1..HEAD']],
  ];
  for (const [name, args] of commands) {
    test(`${name} --config FIFO, /dev/zero, a socket, a directory`, () => {
      for (const [file, why] of kinds) refused(run([...args.slice(0, 1), '--config', file, ...args.slice(1)], dir), `mnlint: --config ${file}: ${why}`);
    });
  }
  test('a .mnlint.json that is a FIFO, found in the current directory', () => {
    const d = mkdtempSync(join(tmpdir(), 'mnlint-found-'));
    copyFileSync(EXAMPLE, join(d, 'ok.c'));
    expect(spawnSync('mkfifo', [join(d, '.mnlint.json')]).status).toBe(0);
    for (const [, args] of commands) refused(run(args, d), `mnlint: ${join(d, '.mnlint.json')}: a FIFO, not a regular file`);
  });
});

describe('checklist and patch on special files: named, no hang', () => {
  const kinds: Array<[string, string]> = [
    ['fifo', 'mnlint: fifo: a FIFO, not a regular file'],
    ['/dev/zero', 'mnlint: /dev/zero: a device, not a regular file'],
    ['sock', 'mnlint: sock: a socket, not a regular file'],
    ['adir', 'mnlint: adir: a directory, not a regular file'],
    ['..', 'mnlint: ..: a directory, not a regular file'],
    ['eio.c', 'mnlint: eio.c: cannot read (EIO: input/output error)'],
  ];
  for (const [file, line] of kinds) {
    test(`checklist ${file}`, () => refused(run(['checklist', file], dir), line));
    test(`patch ${file}`, () => refused(run(['patch', file], dir), line));
  }
  test('checklist --repo DIR with DIR missing or no repository: named before anything runs', () => {
    refused(run(['checklist', '--repo', 'nowhere', 'HEAD~1..HEAD'], dir), 'mnlint: --repo nowhere: no such file or directory');
    refused(run(['checklist', '--repo', 'ok.c', 'HEAD~1..HEAD'], dir), 'mnlint: --repo ok.c: not a directory');
    refused(run(['checklist', '--repo', 'adir', 'HEAD~1..HEAD'], dir), 'mnlint: --repo adir: not a git repository');
    refused(run(['git', '--repo', 'nowhere', 'HEAD'], dir), 'mnlint: --repo nowhere: no such file or directory');
    refused(run(['patch', '--repo', 'nowhere', 'ok.c'], dir), 'mnlint: --repo nowhere: no such file or directory');
    refused(run(['patch', '--tree', 'nowhere', 'ok.c'], dir), 'mnlint: --tree nowhere: no such file or directory');
  });
  test('checklist --previous naming a FIFO', () => {
    refused(run(['checklist', '--previous', 'fifo', '-'], dir, 'x'), 'mnlint: --previous fifo: a FIFO, not a regular file');
  });
  test('standard input that never ends (/dev/zero) hits the size cap', () => {
    const r = spawnSync('sh', ['-c', `node ${JSON.stringify(CLI)} patch - < /dev/zero`], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.signal).toBeNull();
    expect([r.status, r.stderr]).toEqual([2, 'mnlint: <stdin>: too large (more than 67108864 bytes)\n']);
  });
});

describe('C sources', () => {
  test('a .c file whose read fails (EIO) is named, not read as empty', () => {
    expect(existsSync(EIO_TARGET)).toBe(true);
    refused(run(['check', 'eio.c'], dir), 'mnlint: eio.c: cannot read (EIO: input/output error)');
    const r = run(['check', '--format', 'terse', 'eio.c', 'ok.c'], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^ok\.c:\d+: error: /m);
  });
  test('a binary .c inside a directory scan is named, exit 2, the other results kept', () => {
    const d = mkdtempSync(join(tmpdir(), 'mnlint-bindir-'));
    copyFileSync(EXAMPLE, join(d, 'ok.c'));
    writeFileSync(join(d, 'blob.c'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0]));
    const r = run(['check', '--format', 'terse', '.'], d);
    expect(withoutNewestNote(r.stderr)).toBe('mnlint: blob.c: binary file (contains NUL bytes), not C source\n');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^ok\.c:\d+: error: /m);
  });
});

describe('configuration errors: one line naming the file', () => {
  const found = (json: string): string => {
    const d = mkdtempSync(join(tmpdir(), 'mnlint-conf-'));
    copyFileSync(EXAMPLE, join(d, 'ok.c'));
    writeFileSync(join(d, '.mnlint.json'), json);
    return d;
  };
  test('a discovered .mnlint.json with an unknown kernel names that file', () => {
    const d = found('{"kernel": "9.9"}');
    refused(run(['check', 'ok.c'], d), `mnlint: ${join(d, '.mnlint.json')}: kernel 9.9: not a version mnlint models (4.19 or later, like 6.12)`);
  });
  test('not JSON: one line, the text not echoed', () => {
    const d = found('{"rules":\n "a\nb\nc');
    refused(run(['check', 'ok.c'], d), new RegExp(`^mnlint: ${join(d, '.mnlint.json')}: not JSON \\([^"]*\\)$`));
    const e = found('abc\ndef\nghi');
    refused(run(['check', 'ok.c'], e), new RegExp(`^mnlint: ${join(e, '.mnlint.json')}: not JSON \\([^"]*\\)$`));
  });
  test('keys are checked as the file\'s own: "__proto__" is no rule', () => {
    const d = found('{"rules":{"__proto__":"off"}}');
    refused(run(['check', 'ok.c'], d), `mnlint: ${join(d, '.mnlint.json')}: rules: no rule __proto__ (see \`mnlint rules\`)`);
    const top = found('{"__proto__":{"kernel":"6.12"}}');
    refused(run(['check', 'ok.c'], top), /: Unrecognized key: "__proto__"$/);
  });
});

describe('the machine formats print a document on every exit', () => {
  const doc = (args: string[], input?: string) => {
    const r = run(args, dir, input);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/internal error/);
    return r.stdout;
  };
  test("json: each command's report, empty, with the errors", () => {
    expect(JSON.parse(doc(['checklist', '--format', 'json', 'missing.mbox']))).toEqual({ tool: 'mnlint', version: expect.any(String), checklists: [], errors: ['missing.mbox: no such file or directory'] });
    expect(JSON.parse(doc(['checklist', '--format', 'json', '--previous', 'gone.mbox', '-'], 'x'))).toMatchObject({ checklists: [], errors: ['--previous gone.mbox: no such file or directory'] });
    expect(JSON.parse(doc(['checklist', '--format', 'json', '--config', 'fifo', '-']))).toMatchObject({ checklists: [], errors: ['--config fifo: a FIFO, not a regular file'] });
    expect(JSON.parse(doc(['checklist', '--format', 'json', '--']))).toMatchObject({ checklists: [], errors: ['checklist takes one mbox file, - for standard input, or one git range (none given)'] });
    expect(JSON.parse(doc(['patch', '--format', 'json', '--bogus', 'x.patch']))).toMatchObject({ series: [], errors: ['unknown option --bogus (a path starting with - goes after --)'] });
    expect(JSON.parse(doc(['check', '--format', 'json', '--config', '/dev/zero', 'ok.c']))).toMatchObject({ findings: [], errors: ['--config /dev/zero: a device, not a regular file'] });
    expect(JSON.parse(doc(['inventory', '--format', 'json', '--kernel', '6.']))).toMatchObject({ tables: [], errors: [expect.stringMatching(/^--kernel 6\.: /)] });
  });
  test('check json: the inputs that failed beside the findings of the others', () => {
    const r = run(['check', '--format', 'json', 'missing.c', 'ok.c'], dir);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout);
    expect(report.errors).toEqual(['missing.c: no such file or directory']);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(JSON.parse(run(['check', '--format', 'json', 'ok.c'], dir).stdout)).not.toHaveProperty('errors');
  });
  test('b4: one failing entry in the shape b4 reads', () => {
    const out = JSON.parse(doc(['checklist', '--format', 'b4', 'missing.mbox'])) as Array<Record<string, unknown>>;
    expect(out).toHaveLength(1);
    expect(Object.keys(out[0]!)).toEqual(['tool', 'status', 'summary', 'url', 'details']);
    expect(out[0]).toMatchObject({ tool: 'mnlint', status: 'fail', details: 'missing.mbox: no such file or directory' });
  });
  test('sarif: a run whose invocation did not succeed, the error a notification', () => {
    const log = JSON.parse(doc(['check', '--format', 'sarif', '--config', 'fifo', 'ok.c']));
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results).toEqual([]);
    expect(log.runs[0].invocations).toEqual([{ executionSuccessful: false, toolExecutionNotifications: [{ level: 'error', message: { text: '--config fifo: a FIFO, not a regular file' } }] }]);
  });
  test('rdjsonl: one diagnostic a problem', () => {
    const lines = doc(['patch', '--format', 'rdjsonl', 'nope.patch']).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([{ message: 'nope.patch: no such file or directory', location: { path: '' }, severity: 'ERROR', source: { name: 'mnlint' }, code: { value: 'mnlint-error' } }]);
  });
});

describe('options checked per command', () => {
  const cases: Array<[string[], string]> = [
    [['rules', '--jobs', 'abc'], 'mnlint: rules takes no --jobs (its options: --format, --levels)'],
    [['inventory', '--kernel', '6.', 'ok.c'], 'mnlint: --kernel 6.: not a version mnlint models (4.19 or later, like 6.12)'],
    [['checklist', '--fail-on', 'panic', 'x.mbox'], expect.stringMatching(/^mnlint: checklist takes no --fail-on \(its options: --format, /) as unknown as string],
    [['model', 'explore', '--filter', 'bogus', 'ok.c'], expect.stringMatching(/^mnlint: model explore takes no --filter /) as unknown as string],
    [['check', '--jobs', '0', 'ok.c'], 'mnlint: --jobs takes a positive whole number, not 0'],
    [['patch', '--filter', 'bogus', 'x.patch'], expect.stringMatching(/^mnlint: unknown --filter bogus /) as unknown as string],
    [['git', '--fail-on', 'panic', 'HEAD'], expect.stringMatching(/^mnlint: unknown --fail-on panic /) as unknown as string],
    [['inventory', '--format', 'xml', 'ok.c'], expect.stringMatching(/^mnlint: inventory: unknown --format xml /) as unknown as string],
    [['explain', '--rule', 'x', 'y'], 'mnlint: explain takes no --rule (it takes no options)'],
    [['check', '--rule', 'no-such-rule', 'ok.c'], 'mnlint: no rule no-such-rule (see `mnlint rules`)'],
    [['nosuch'], 'mnlint: unknown command nosuch (see mnlint --help)'],
  ];
  for (const [args, line] of cases) {
    test(args.join(' '), () => {
      const r = run(args, dir);
      expect([r.code, r.stdout, r.stderr.trimEnd()]).toEqual([2, '', line]);
    });
  }
});

describe("the campaign's kbuild and watch cases (bench/fuzz, seed 23)", () => {
  test('kbuild: a -include that is a FIFO, a directory, /dev/zero or missing is named, no hang', () => {
    for (const [inc, why] of [
      ['fifo', 'a FIFO, not a regular file'],
      ['adir', 'a directory, not a regular file'],
      ['/dev/zero', 'a device, not a regular file'],
      ['gone.h', 'no such file or directory'],
    ] as const) {
      refused(run(['kbuild', '-include', inc, 'ok.c'], dir), `mnlint kbuild: -include ${inc}: ${why}`);
    }
  });

  test('kbuild: a source that is a FIFO is named, never read', () => {
    refused(run(['kbuild', 'fifo'], dir), 'mnlint kbuild: fifo: a FIFO, not a regular file');
  });

  test('watch: an epoch of the inbox that is a file is a damaged archive, named', () => {
    const inbox = join(dir, 'inbox-epoch-file');
    mkdirSync(join(inbox, 'git'), { recursive: true });
    writeFileSync(join(inbox, 'git', '0.git'), 'not a repository\n');
    refused(run(['watch', '--public-inbox', inbox, '--outbox', join(dir, 'out-epoch')], dir), `mnlint: ${join(inbox, 'git', '0.git')}: not a git repository (a public-inbox epoch is a directory)`);
  });
});

describe("the campaign's patch losses (bench/fuzz, seed 23)", () => {
  test('text that is no mail before a valid mbox message: the text named, the message reviewed', () => {
    const repo = join(dir, 'loss-repo');
    mkdirSync(join(repo, 'drivers/drv'), { recursive: true });
    const git = (...args: string[]) => spawnSync('git', ['-C', repo, '-c', 'user.name=Ann Dev', '-c', 'user.email=ann@example.org', ...args], { encoding: 'utf8' });
    git('init', '-q');
    git('commit', '-q', '--allow-empty', '-m', 'base');
    copyFileSync(join(REPO, 'fixtures/rules/sleep-in-non-blockable-range/bad.c'), join(repo, 'drivers/drv/drv.c'));
    git('add', '-A');
    git('commit', '-q', '-m', 'drv: add the driver');
    const mail = git('format-patch', '--stdout', '-1', 'HEAD').stdout;
    // a web page's copy of another posting, pasted above the mbox
    writeFileSync(join(dir, 'pasted.mbox'), `[PATCH v2 1/4] mm: a posting copied from a web page\n\nSomeone posted 4 patches\n--- a/x.c\n+++\n@@ -1,3 +1,9 @@\n x\n${mail}`);
    const r = run(['patch', 'pasted.mbox'], dir);
    expect(r.signal).toBeNull();
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.stderr).toMatch(/^mnlint: pasted\.mbox: "the message at line 1": line 1 is no mbox "From " line/m);
    expect(r.stdout).toContain('ERROR:sleep-in-non-blockable-range');
    expect(r.code).toBe(2);
  });
});

describe("the campaign's wrong exits (bench/fuzz, seed 23)", () => {
  test('an empty argument is refused by every command that takes arguments', () => {
    refused(run(['check', 'ok.c', ''], dir), "mnlint: check: an empty argument (no file, range or name is '')");
    refused(run(['inventory', ''], dir), "mnlint: inventory: an empty argument (no file, range or name is '')");
  });

  test('a discovered .mnlint.json that is a symbolic link loop is named, not passed over', () => {
    const d = join(dir, 'config-loop');
    mkdirSync(d);
    copyFileSync(EXAMPLE, join(d, 'ok.c'));
    symlinkSync('.mnlint.json', join(d, '.mnlint.json'));
    const r = run(['check', 'ok.c'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.mnlint\.json/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  test('git: a range with no commit is named, not an empty success', () => {
    const repo = join(dir, 'range-repo');
    mkdirSync(repo);
    const git = (...args: string[]) => spawnSync('git', ['-C', repo, '-c', 'user.name=Ann Dev', '-c', 'user.email=ann@example.org', ...args], { encoding: 'utf8' });
    git('init', '-q');
    git('commit', '-q', '--allow-empty', '-m', 'base');
    refused(run(['git', '--repo', repo, 'HEAD..HEAD'], dir), 'mnlint: HEAD..HEAD: no commit to review in the range (merges are not reviewed)');
  });
});

describe("the campaign's last wrong exits (bench/fuzz, seed 23, 10,000 cases)", () => {
  test('a one-value option given twice: the last is used, the earlier one checked too', () => {
    refused(run(['rules', '--format', 'bogus', '--format', 'json'], dir), 'mnlint: rules: unknown --format bogus (text, json)');
    const r = run(['rules', '--format', 'text', '--format', 'json'], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toBeInstanceOf(Array);
  });

  test('a directory scan: a .c that is not UTF-8 is named, exit 2, the other results kept', () => {
    const d = mkdtempSync(join(tmpdir(), 'mnlint-latin1-'));
    copyFileSync(EXAMPLE, join(d, 'ok.c'));
    // Latin-1 text with no NUL byte (the campaign's 2740 was random bytes without one)
    writeFileSync(join(d, 'latin1.c'), Buffer.from('/* Copyright \xa9 J\xf6rg */\nint x;\n', 'latin1'));
    const r = run(['check', '--format', 'terse', '.'], d);
    expect(withoutNewestNote(r.stderr)).toBe('mnlint: latin1.c: not valid UTF-8\n');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^ok\.c:\d+: error: /m);
  });

  test('a directory scan follows a .c link out of the tree: its read failing (EIO) is named', () => {
    const d = mkdtempSync(join(tmpdir(), 'mnlint-linkeio-'));
    copyFileSync(EXAMPLE, join(d, 'ok.c'));
    symlinkSync(EIO_TARGET, join(d, 'bad.c'));
    const r = run(['check', '--format', 'terse', '.'], d);
    expect(withoutNewestNote(r.stderr)).toBe('mnlint: bad.c: cannot read (EIO: input/output error)\n');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^ok\.c:\d+: error: /m);
  });

  test('a .c link out of the tree is read as the compiler reads it; one into the tree is not read twice', () => {
    const outside = mkdtempSync(join(tmpdir(), 'mnlint-linkout-'));
    copyFileSync(EXAMPLE, join(outside, 'shared.c'));
    const d = mkdtempSync(join(tmpdir(), 'mnlint-linkin-'));
    mkdirSync(join(d, 'sub'));
    symlinkSync(join(outside, 'shared.c'), join(d, 'sub', 'shared.c'));
    copyFileSync(EXAMPLE, join(d, 'own.c'));
    symlinkSync('../own.c', join(d, 'sub', 'own-again.c'));
    const r = run(['check', '--format', 'terse', '.'], d);
    expect(withoutNewestNote(r.stderr)).toBe('');
    const files = new Set(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(':')[0]),
    );
    expect([...files].sort()).toEqual(['own.c', 'sub/shared.c']);
  });

  test('watch: a --state that is a link loop is named; a missing one is the first run', () => {
    const inbox = join(dir, 'inbox-empty');
    mkdirSync(join(inbox, 'git'), { recursive: true });
    symlinkSync('loop.json', join(dir, 'loop.json'));
    refused(run(['watch', '--public-inbox', inbox, '--outbox', join(dir, 'out-loop'), '--state', 'loop.json'], dir), /^mnlint: (--state )?loop\.json: .*symbolic link/);
    const r = run(['watch', '--public-inbox', inbox, '--outbox', join(dir, 'out-first'), '--state', 'first.json'], dir);
    expect([r.code, withoutNewestNote(r.stderr)]).toEqual([0, '']);
    expect(existsSync(join(dir, 'first.json'))).toBe(true);
  });

  test('git and checklist name the arguments given in place of one range', () => {
    refused(run(['git', '--', '--rule', 'x'], dir), 'mnlint: git takes one revision range (A..B) or one commit, not 2 (--rule x)');
    refused(run(['git'], dir), 'mnlint: git takes one revision range (A..B) or one commit (none given)');
  });

  test('a configuration with a byte order mark is read as JSON', () => {
    const d = mkdtempSync(join(tmpdir(), 'mnlint-bom-'));
    copyFileSync(EXAMPLE, join(d, 'ok.c'));
    writeFileSync(join(d, '.mnlint.json'), '\ufeff{"rules":{"sleeping-gfp-in-first-pass":"off"}}');
    const r = run(['check', '--format', 'terse', 'ok.c'], d);
    expect(withoutNewestNote(r.stderr)).toBe('');
    expect(r.stdout).not.toMatch(/sleeping-gfp-in-first-pass/);
  });
});
