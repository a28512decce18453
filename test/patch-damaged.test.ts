// Damaged patch input (issue 23 item 2): a series written by `git format-patch`
// in a test repository, then damaged the ways the fuzz campaign found. Each
// damage is named in one line on stderr, the rest of the series is reviewed,
// and the exit status (2) says the review is incomplete. git's own tools are
// the reference for what an mbox is.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { applyHunks } from '../src/input/apply.js';
import { splitMbox } from '../src/input/mbox.js';
import { MAX_HUNK_LINE, PatchInputError, readPatchInputs } from '../src/input/patch.js';
import { PatchReportSchema } from '../src/report/patch.js';
import { gitIn, replaceIn, runCli } from './helpers.js';

const FILE = 'drivers/gpu/drm/drv/drv_mn.c';
const ERROR_PATCH = '[PATCH 3/3] drm/drv: bail out of non-blockable starts';
let dir: string;
let tree: string;
let mbox: string;

/** The series as format-patch writes it: two harmless patches, then one that adds an I2 error. */
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mnlint-damaged-'));
  const repo = join(dir, 'repo');
  tree = join(dir, 'tree');
  cpSync('fixtures/trees/drv', repo, { recursive: true });
  cpSync('fixtures/trees/drv', tree, { recursive: true });
  gitIn(repo, 'init', '-q');
  gitIn(repo, 'add', '.');
  gitIn(repo, 'commit', '-qm', 'base');
  const edit = (from: string, to: string, subject: string): void => {
    replaceIn(join(repo, FILE), from, to);
    gitIn(repo, 'commit', '-qam', subject);
  };
  edit('/* A small GPU driver tree for the patch-review tests: correct as it stands. */', '/* A small GPU driver tree. */', 'drm/drv: shorten the header comment');
  edit('\tlong active;\n', '\tlong active; /* starts in flight */\n', 'drm/drv: document the active count');
  edit('\tspin_lock(&d->lock);\n\td->active++;', '\tif (!mmu_notifier_range_blockable(range))\n\t\treturn -EAGAIN;\n\tspin_lock(&d->lock);\n\td->active++;', 'drm/drv: bail out of non-blockable starts');
  mbox = gitIn(repo, 'format-patch', '--stdout', '-3');
});

/** The series damaged by `damage`, written to a file; its path. */
function damaged(name: string, damage: (text: string) => string): string {
  const text = damage(mbox);
  expect(text).not.toBe(mbox);
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** `text` with its n-th line (1-based) replaced. */
function line(n: number, to: (l: string) => string): (text: string) => string {
  return (text) => {
    const lines = text.split('\n');
    lines[n - 1] = to(lines[n - 1]!);
    return lines.join('\n');
  };
}

function fromLines(text: string): number[] {
  return text.split('\n').flatMap((l, i) => (/^From [0-9a-f]{40} /.test(l) ? [i + 1] : []));
}

function review(path: string, tree?: string): { code: number; stderr: string[]; labels: string[]; findings: string[] } {
  const r = runCli(['patch', ...(tree ? ['--tree', tree] : []), '--format', 'json', path]);
  const report = PatchReportSchema.parse(JSON.parse(r.stdout));
  const patches = report.series.flatMap((s) => s.patches);
  return {
    code: r.code,
    stderr: r.stderr.split('\n').filter((l) => l && !l.startsWith('mnlint: note: ')),
    labels: patches.map((p) => p.label),
    findings: patches.flatMap((p) => p.findings.map((f) => `${p.label}: ${f.rule} ${f.file}:${f.line}`)),
  };
}

describe('the series undamaged', () => {
  test('split as git mailsplit splits it, message for message', () => {
    const out = join(dir, 'split');
    mkdirSync(out);
    writeFileSync(join(dir, 'series.mbox'), mbox);
    expect(spawnSync('git', ['mailsplit', `-o${out}`, join(dir, 'series.mbox')], { encoding: 'utf8' }).stdout.trim()).toBe('3');
    // git keeps each message's From line; mnlint gives the message without it
    const git = readdirSync(out)
      .sort()
      .map((f) =>
        readFileSync(join(out, f), 'utf8')
          .replace(/^From .*\n/, '')
          .trimEnd(),
      );
    const ours = splitMbox(Buffer.from(mbox)).map((p) => [p.kind, p.raw.toString('utf8').trimEnd()]);
    expect(ours).toEqual(git.map((m) => ['mail', m]));
  });

  test("public-inbox's mboxrd: format-patch's own From line, escaped, is the message's first line, not a damaged separator", () => {
    const first = mbox.split('\n', 1)[0]!;
    // the whole series escaped into one message: its three From lines are body lines, unescaped
    const rd = `From mboxrd@z Thu Jan  1 00:00:00 1970\n${mbox.replace(/^(>*From )/gm, '>$1')}`;
    const parts = splitMbox(Buffer.from(rd));
    expect(parts.map((p) => p.kind)).toEqual(['mail']);
    expect(parts[0]!.raw.toString('utf8').split('\n', 1)[0]).toBe(first);
  });

  test('reviewed whole: the third patch adds the error, exit 1', () => {
    const r = review(
      damaged('whole.mbox', (t) => `${t}\n`),
      tree,
    );
    expect([r.code, r.stderr, r.labels.length]).toEqual([1, [], 3]);
    expect(r.findings).toEqual([`${ERROR_PATCH}: range-end-with-failing-start ${FILE}:23`]);
  });
});

describe('a damaged mbox separator', () => {
  test('the first From line damaged: that message named, the next valid From line starts the next, exit 2', () => {
    // git mailsplit calls the whole mailbox corrupt and git am keeps nothing
    const frm = damaged(
      'frm.mbox',
      line(1, (l) => l.replace(/^From /, 'Frm ')),
    );
    expect(spawnSync('git', ['mailsplit', `-o${mkdtempSync(join(dir, 'ms-'))}`, frm], { encoding: 'utf8' }).stderr).toContain('corrupt mailbox');
    for (const path of [
      frm,
      damaged(
        'cut.mbox',
        line(1, () => 'From'),
      ),
    ]) {
      const r = review(path, tree);
      expect(r.code).toBe(2);
      expect(r.stderr).toEqual([expect.stringMatching(/^mnlint: \S+: "\[PATCH 1\/3\] drm\/drv: shorten the header comment": line 1 is no mbox "From " line \(.*\); the message is not read$/)]);
      expect(r.labels).toEqual(['[PATCH 2/3] drm/drv: document the active count', ERROR_PATCH]);
      expect(r.findings).toEqual([`${ERROR_PATCH}: range-end-with-failing-start ${FILE}:23`]);
    }
  });

  test('the checklist names the damaged message as a failing input item', () => {
    const r = runCli(['checklist', '--format', 'b4', join(dir, 'frm.mbox')]);
    const items = JSON.parse(r.stdout) as Array<{ tool: string; status: string; details: string | null }>;
    expect(items[0]).toMatchObject({ tool: 'mnlint input', status: 'fail' });
    expect(items[0]!.details).toMatch(/"\[PATCH 1\/3\] drm\/drv: shorten the header comment": line 1 is no mbox "From " line/);
    expect(r.code).toBe(1);
  });

  test('a separator damaged between two messages: the second named, not swallowed by the first', () => {
    const at = fromLines(mbox);
    expect(at).toHaveLength(3);
    const r = review(
      damaged(
        'mid.mbox',
        line(at[1]!, (l) => l.replace(/^From /, 'Frrom ')),
      ),
      tree,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toEqual([
      `mnlint: ${join(dir, 'mid.mbox')}: "[PATCH 2/3] drm/drv: document the active count": line ${at[1]} is a damaged mbox "From " line (${JSON.stringify(
        mbox
          .split('\n')
          [at[1]! - 1]!.replace(/^From /, 'Frrom ')
          .slice(0, 57) + '...',
      )}); the message is not read`,
    ]);
    expect(r.labels).toEqual(['[PATCH 1/3] drm/drv: shorten the header comment', ERROR_PATCH]);
    // the third patch's hunk keeps its own line in the file (checkpatch's #N)
    const terse = runCli(['patch', '--tree', tree, '--format', 'terse', join(dir, 'mid.mbox')]);
    const hunk = mbox.split('\n').findIndex((l) => l.startsWith('@@ -19,6 +19,8 @@')) + 1;
    expect(terse.stdout).toContain(`mid.mbox:${hunk + 5}: ERROR:range-end-with-failing-start`);
  });

  test('the separator before the erroring patch cut short: named; the error is not lost silently', () => {
    const at = fromLines(mbox);
    const r = review(
      damaged(
        'last.mbox',
        line(at[2]!, () => 'Fro'),
      ),
      tree,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toEqual([expect.stringContaining(`"${ERROR_PATCH}": line ${at[2]} is a damaged mbox "From " line ("Fro"); the message is not read`)]);
    expect(r.labels).toHaveLength(2);
  });
});

describe('hunk positions beyond what a file or the patch can hold', () => {
  const header = '@@ -6,7 +6,7 @@';
  for (const start of ['9007199254740993', '999999999']) {
    test(`a hunk at line ${start}, no --tree: named with its hunk, the other patches reviewed, exit 2`, () => {
      const path = damaged(`at-${start}.mbox`, (t) => t.replace(header, `@@ -${start},7 +${start},7 @@`));
      const r = review(path);
      expect(r.code).toBe(2);
      expect(r.stderr).toEqual([
        `mnlint: ${path}: "[PATCH 2/3] drm/drv: document the active count": hunk 1 (@@ -${start},7 +${start},7 @@) of ${FILE}: its old side ends beyond any file mnlint reads (at most ${MAX_HUNK_LINE} lines)`,
      ]);
      expect(r.labels).toEqual(['[PATCH 1/3] drm/drv: shorten the header comment', ERROR_PATCH]);
      // with the tree the same, and the third patch's error is kept
      const t = review(path, tree);
      expect([t.code, t.stderr]).toEqual([2, r.stderr]);
      expect(t.findings).toEqual([`${ERROR_PATCH}: range-end-with-failing-start ${FILE}:23`]);
    });
  }

  test('a hunk at line 0, or with a count that is no number: not a hunk header', async () => {
    const zero = mbox.replace(header, '@@ -0,7 +6,7 @@');
    const r = await readPatchInputs([{ source: 's', bytes: Buffer.from(zero) }]);
    expect(r.series[0]!.problems).toEqual([`s: "[PATCH 2/3] drm/drv: document the active count": hunk 1 (@@ -0,7 +6,7 @@) of ${FILE}: not a hunk header (@@ -START,COUNT +START,COUNT @@)`]);
  });

  test('with --tree, a hunk whose old start is 999999999 is searched for in the file only, and found', async () => {
    const { series } = await readPatchInputs([{ source: 's', bytes: Buffer.from(mbox) }]);
    const fp = series[0]!.patches[2]!.files[0]!;
    const far = { ...fp, hunks: fp.hunks.map((h) => ({ ...h, oldStart: 999_999_999, newStart: 999_999_999 })) };
    const text = readFileSync(join(tree, FILE), 'utf8');
    const t0 = performance.now();
    const r = applyHunks(text, far);
    expect(performance.now() - t0).toBeLessThan(1000);
    // placed where the context is, as GNU patch places it (offset from the header's line)
    expect(r.hunks).toEqual([expect.objectContaining({ applied: true, at: 19, fuzz: 0 })]);
    expect(r.text).toBe(applyHunks(text, fp).text);
    // context found nowhere: rejected, not searched for without end
    const nowhere = { ...far, hunks: far.hunks.map((h) => ({ ...h, lines: h.lines.map((l) => (l.startsWith(' ') ? ' /* not in the file */' : l)) })) };
    expect(applyHunks(text, nowhere).hunks).toEqual([expect.objectContaining({ applied: false, reason: 'context not found' })]);
  });

  test('with --tree, a hunk at line 4000000 of a 77-line file applies at its offset; the error found', () => {
    const path = damaged('far.mbox', (t) => t.replace('@@ -19,6 +19,8 @@', '@@ -4000000,6 +4000000,8 @@'));
    const r = review(path, tree);
    expect([r.code, r.stderr]).toEqual([1, []]);
    // reported with the patch's own numbers, as every hunk applied at an offset is
    expect(r.findings).toEqual([`${ERROR_PATCH}: range-end-with-failing-start ${FILE}:4000004`]);
  });
});

describe('a mangled +++ or --- header', () => {
  test('a +++ line naming no file: the patch named, the rest reviewed, exit 2', () => {
    const path = damaged('noname.mbox', (t) => t.replace(`+++ b/${FILE}`, '+++ '));
    const r = review(path, tree);
    expect(r.code).toBe(2);
    expect(r.stderr).toEqual([`mnlint: ${path}: "[PATCH 1/3] drm/drv: shorten the header comment": a +++ line naming no file (after --- a/${FILE})`]);
    expect(r.findings).toEqual([`${ERROR_PATCH}: range-end-with-failing-start ${FILE}:23`]);
  });

  test('+++ /dev/null over a hunk that adds lines: named, not read as a deletion that hides the error', () => {
    const last = mbox.lastIndexOf(`+++ b/${FILE}`);
    const path = damaged('devnull.mbox', (t) => `${t.slice(0, last)}+++ /dev/null${t.slice(last + `+++ b/${FILE}`.length)}`);
    const r = review(path, tree);
    expect(r.code).toBe(2);
    expect(r.stderr).toEqual([
      expect.stringMatching(new RegExp(`"\\[PATCH 3/3\\] drm/drv: bail out of non-blockable starts": hunk 1 \\(@@ -19,6 \\+19,8 @@ .*\\) of ${FILE}: \\+\\+\\+ /dev/null \\(no new file\\) but the hunk has 8 new lines$`)),
    ]);
    expect(r.labels).toHaveLength(2);
  });

  test('--- /dev/null over a hunk with old lines: named', async () => {
    const bytes = Buffer.from(mbox.replace(`--- a/${FILE}`, '--- /dev/null'));
    const r = await readPatchInputs([{ source: 's', bytes }]);
    expect(r.series[0]!.problems).toEqual([expect.stringMatching(/: --- \/dev\/null \(no old file\) but the hunk has 5 old lines$/)]);
  });
});

describe('other damage: one named line or a review, never an exception', () => {
  /** The series' bodies re-encoded (base64 or quoted-printable), as some mailers send them. */
  function encoded(enc: 'base64' | 'quoted-printable'): string {
    return mbox
      .split(/(?=^From [0-9a-f]{40} )/m)
      .map((m) => {
        const i = m.indexOf('\n\n');
        const body = m.slice(i + 2);
        const text = enc === 'base64' ? Buffer.from(body).toString('base64').replace(/.{76}/g, '$&\n') : body.replace(/=/g, '=3D').replace(/\t/g, '=09');
        return `${m.slice(0, i)}\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: ${enc}\n\n${text}\n`;
      })
      .join('');
  }

  test('base64 and quoted-printable bodies decode to the same hunks', async () => {
    const hunks = async (text: string) => (await readPatchInputs([{ source: 'in', bytes: Buffer.from(text) }])).series[0]!.patches.map((p) => p.files.map((f) => f.hunks));
    const plain = await hunks(mbox);
    expect(plain).toHaveLength(3);
    expect(await hunks(encoded('base64'))).toEqual(plain);
    expect(await hunks(encoded('quoted-printable'))).toEqual(plain);
  });

  test('truncations, CRLF, CR, stray bytes, NULs, broken base64 and quoted-printable, huge lines', async () => {
    const seeds = [mbox, encoded('base64'), encoded('quoted-printable')];
    const cases: Buffer[] = [];
    for (const t of seeds) {
      for (let cut = 0; cut < t.length; cut += 53) cases.push(Buffer.from(t.slice(0, cut)));
      cases.push(Buffer.from(t.replace(/\n/g, '\r\n')), Buffer.from(t.replace(/\n/g, '\r')));
      for (let k = 0; k < 120; k++) {
        const b = Buffer.from(t);
        b[(k * 7919) % b.length] = [0, 0xff, 0xc3, 0x80, 0x0d, 0x3d, 0x40, 0x0a][k % 8]!;
        cases.push(b);
      }
      cases.push(Buffer.from(t.replaceAll('drv_mm_start', 'drv\0start')));
      cases.push(Buffer.from(t.replace('+\t\treturn -EAGAIN;', `+\t\treturn -EAGAIN; /* ${'x'.repeat(200_000)} */`)));
      cases.push(Buffer.from(t.replace('Subject: [PATCH 2/3]', `Subject: [PATCH 2/3] ${'y'.repeat(300_000)}`)));
      cases.push(Buffer.from(t.replace(/^([A-Za-z0-9+/]{40})/m, '$1!!!%%%')), Buffer.from(t.replace('=09', '=G')));
    }
    const text = readFileSync(join(tree, FILE), 'utf8');
    for (const bytes of cases) {
      try {
        const r = await readPatchInputs([{ source: 'in', bytes }]);
        for (const e of [...r.errors, ...r.series.flatMap((s) => s.problems ?? [])]) expect(e).not.toContain('\n');
        for (const s of r.series) for (const p of s.patches) for (const f of p.files) applyHunks(text, f);
      } catch (e) {
        if (!(e instanceof PatchInputError)) throw e;
        expect(e.message).not.toContain('\n');
      }
    }
    expect(cases.length).toBeGreaterThan(400);
  }, 60_000);

  test('the CLI on a few of them: exit 0, 1 or 2, every stderr line a named mnlint line', () => {
    const inputs = [
      mbox.replace(/\n/g, '\r\n'),
      encoded('base64').replace(/^([A-Za-z0-9+/]{40})/m, '$1!!!%%%'),
      encoded('quoted-printable').slice(0, 2000),
      mbox.replaceAll('drv_mm_start', 'drv\0start'),
      `${mbox.slice(0, 900)}\xff\xfe${mbox.slice(900)}`,
    ];
    for (const [i, text] of inputs.entries()) {
      const path = join(dir, `other-${i}.mbox`);
      writeFileSync(path, text);
      const r = runCli(['patch', '--tree', tree, '--format', 'json', path]);
      expect([0, 1, 2]).toContain(r.code);
      expect(() => JSON.parse(r.stdout)).not.toThrow();
      for (const l of r.stderr.split('\n').filter(Boolean)) expect(l).toMatch(/^mnlint: (?!internal error)/);
    }
  });
});
