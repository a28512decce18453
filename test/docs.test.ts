// The documentation, checked as a reader uses it (README.md, docs/**/*.md,
// bench/README.md):
// - every command block marked runnable is run on the bundled example:
//     ```sh runnable [exit=N]
//   the block is one bash script (errexit, pipefail) run in a fresh directory
//   holding a copy of fixtures/examples and the built dist/ (so both
//   `mnlint ...` and `node dist/cli.js ...` work); every mnlint run in it must
//   exit N (default 0), every other command 0. A ```text output block right
//   after it is the script's stdout, where a line `...` stands for any lines;
// - every relative link resolves: the file exists, and a #fragment names a
//   heading (GitHub's slug) or an <a id> of the page;
// - the README is a front page: the two commands first, at most 10 KB.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CLI, REPO } from './helpers.js';

function markdownFiles(): string[] {
  const out = ['README.md', 'bench/README.md'];
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(REPO, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.md')) out.push(rel);
    }
  };
  walk('docs');
  return out.sort();
}

interface Block {
  info: string;
  body: string;
  line: number;
}

/** The fenced blocks of a page, with the text outside them (for links and headings). */
function parse(text: string): { blocks: Block[]; prose: string[] } {
  const blocks: Block[] = [];
  const prose: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(lines[i]!);
    if (!open) {
      prose.push(lines[i]!);
      continue;
    }
    const fence = open[2]!;
    const body: string[] = [];
    const start = i + 1;
    for (i++; i < lines.length && !lines[i]!.trim().startsWith(fence); i++) body.push(lines[i]!.slice(open[1]!.length));
    blocks.push({ info: open[3]!.trim(), body: body.join('\n'), line: start });
    prose.push('');
  }
  return { blocks, prose };
}

/** GitHub's heading anchors (github-slugger): lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(text: string): Set<string> {
  const { prose } = parse(text);
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = h[1]!
        .replace(/<[^>]*>/g, '')
        .toLowerCase()
        .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
        .replace(/ /g, '-');
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n ? `${base}-${n}` : base);
    }
    for (const a of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(a[1]!);
  }
  return out;
}

/** Inline links and images outside code: [text](target) and ![alt](target). */
function links(text: string): string[] {
  const out: string[] = [];
  for (const line of parse(text).prose) {
    const bare = line.replace(/`[^`]*`/g, '``');
    for (const m of bare.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push(m[1]!);
  }
  return out;
}

const FILES = markdownFiles();

describe('links', () => {
  test('the pages hold relative links to check', () => {
    expect(links(readFileSync(join(REPO, 'README.md'), 'utf8')).filter((l) => !/^[a-z]+:/.test(l)).length).toBeGreaterThan(10);
    expect(anchors('# A `b` (c)\n## A b c\n## A b c\n<a id="x"></a>')).toEqual(new Set(['a-b-c', 'a-b-c-1', 'a-b-c-2', 'x']));
  });

  for (const file of FILES) {
    test(`every relative link of ${file} resolves`, () => {
      const text = readFileSync(join(REPO, file), 'utf8');
      const broken: string[] = [];
      for (const link of links(text)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto:
        const [path, fragment] = link.split('#', 2) as [string, string | undefined];
        const target = path ? resolve(REPO, dirname(file), decodeURIComponent(path)) : join(REPO, file);
        const rel = relative(REPO, target);
        if (rel.startsWith('..')) {
          broken.push(`${link}: outside the repository`);
          continue;
        }
        if (!existsSync(target)) {
          broken.push(`${link}: no ${rel}`);
          continue;
        }
        if (fragment === undefined) continue;
        if (statSync(target).isDirectory() || !target.endsWith('.md')) {
          broken.push(`${link}: a fragment on ${rel}, which is no page`);
          continue;
        }
        if (!anchors(readFileSync(target, 'utf8')).has(fragment)) broken.push(`${link}: ${rel} has no heading or anchor #${fragment}`);
      }
      expect(broken).toEqual([]);
    });
  }
});

interface Runnable {
  file: string;
  line: number;
  script: string;
  exit: number;
  output?: string;
}

function runnables(): Runnable[] {
  const out: Runnable[] = [];
  for (const file of FILES) {
    const text = readFileSync(join(REPO, file), 'utf8');
    const { blocks } = parse(text);
    const lines = text.split('\n');
    blocks.forEach((b, i) => {
      const words = b.info.split(/\s+/);
      if (words[1] !== 'runnable') return;
      const exit = Number(/^exit=(\d+)$/.exec(words[2] ?? '')?.[1] ?? 0);
      const script = b.body;
      const next = blocks[i + 1];
      // the output block follows with nothing but blank lines between
      const between = next ? lines.slice(b.line + b.body.split('\n').length, next.line - 1) : [];
      const output = next && next.info === 'text output' && between.every((l) => /^\s*(```)?\s*$/.test(l)) ? next.body : undefined;
      out.push({ file, line: b.line, script, exit, output });
    });
  }
  return out;
}

/** `expected` with `...` lines standing for any lines, against the actual stdout. */
function matches(actual: string[], expected: string[]): boolean {
  if (!expected.length) return !actual.length;
  const [head, ...rest] = expected;
  if (head === '...') return actual.some((_, i) => matches(actual.slice(i), rest)) || matches([], rest);
  return actual.length > 0 && actual[0] === head && matches(actual.slice(1), rest);
}

describe('runnable blocks', () => {
  const blocks = runnables();
  const root = mkdtempSync(join(tmpdir(), 'mnlint-docs-run-'));
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'mnlint'), `#!/bin/sh\nexec "${process.execPath}" "${join(REPO, 'dist', 'bin.js')}" "$@"\n`);
  chmodSync(join(bin, 'mnlint'), 0o755);

  test('the README and the docs have runnable blocks, on the bundled example', () => {
    expect(blocks.filter((b) => b.file === 'README.md').length).toBeGreaterThan(0);
    expect(blocks.filter((b) => b.file.startsWith('docs/')).length).toBeGreaterThan(5);
    expect(blocks.filter((b) => b.output !== undefined).length).toBeGreaterThan(1);
    expect(existsSync(CLI), 'dist/cli.js: run npm run build').toBe(true);
  });

  blocks.forEach((b, n) => {
    test(`${b.file}:${b.line}: ${b.script.split('\n')[0]!.slice(0, 80)}`, () => {
      const dir = join(root, `block-${n}`);
      mkdirSync(join(dir, 'home'), { recursive: true });
      cpSync(join(REPO, 'fixtures', 'examples'), join(dir, 'fixtures', 'examples'), { recursive: true });
      symlinkSync(join(REPO, 'dist'), join(dir, 'dist'));
      const env = {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        HOME: join(dir, 'home'),
        XDG_CONFIG_HOME: join(dir, 'home'),
        GIT_CONFIG_NOSYSTEM: '1',
        NO_COLOR: '1',
        // a reader's git knows who they are
        GIT_AUTHOR_NAME: 'Ann Dev',
        GIT_AUTHOR_EMAIL: 'ann@example.org',
        GIT_COMMITTER_NAME: 'Ann Dev',
        GIT_COMMITTER_EMAIL: 'ann@example.org',
      };
      // mnlint, however it is called, must exit as the block says; the script stops on anything else
      const prelude = [
        'set -eo pipefail',
        `__expect() { local s=0; "$@" || s=$?; if [ "$s" -ne ${b.exit} ]; then echo "mnlint exited $s, not ${b.exit}: $*" >&2; exit 99; fi; }`,
        'mnlint() { __expect command mnlint "$@"; }',
        'node() { case "$1" in dist/cli.js|dist/bin.js) __expect command node "$@" ;; *) command node "$@" ;; esac; }',
      ].join('\n');
      const r = spawnSync('bash', ['-c', `${prelude}\n${b.script}`], { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 26 });
      const where = `${b.file}:${b.line}:\n${b.script}\n${r.stderr}`;
      expect(r.status, where).toBe(0);
      expect(r.stderr, where).not.toMatch(/internal error|\n\s+at .*\(.*:\d+:\d+\)/);
      const stdout = r.stdout;
      if (b.output !== undefined) {
        const ok = matches(stdout.replace(/\n$/, '').split('\n'), b.output.split('\n'));
        expect(ok, `${b.file}:${b.line}: the output block is not what the command prints:\n${stdout}`).toBe(true);
      }
    });
  });
});

describe('the README is a front page', () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  test('it starts with the two commands: install and run on the bundled example, run the tests', () => {
    expect(readme.startsWith('# mnlint\n\n```sh\nnpm ci && node dist/cli.js check fixtures/examples\n```\n\n```sh\nnpm test\n```\n')).toBe(true);
  });
  test('at most 10 KB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(10 * 1024);
  });
});
