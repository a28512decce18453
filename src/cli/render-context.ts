// What the findings' printers need from the command line besides the
// findings: the text of a finding's line, read from the scanned tree, and
// where SARIF URIs start. Shared by `check` and the patch review commands.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Values } from './options.js';
import { fail } from './usage.js';

/**
 * Where SARIF URIs start: --sarif-root, else the git top of the scanned tree
 * (else the tree itself); findings' files get the tree's path below it.
 */
export function sarifBase(values: Values, scanned: string): { root: string; prefix: string } {
  const tree = resolve(scanned);
  let root = values['sarif-root'] !== undefined ? resolve(values['sarif-root']) : tree;
  if (values['sarif-root'] === undefined) {
    for (let d = tree; ; d = dirname(d)) {
      if (existsSync(join(d, '.git'))) {
        root = d;
        break;
      }
      if (dirname(d) === d) break;
    }
  }
  const prefix = relative(root, tree);
  if (prefix.startsWith('..')) fail(`--sarif-root ${values['sarif-root']}: ${tree} is not below it`);
  return { root, prefix: prefix.split(sep).join('/') };
}

export function lineReader(root: string): (file: string, line: number) => string | undefined {
  const cache = new Map<string, string[] | null>();
  return (file, line) => {
    if (!cache.has(file)) {
      try {
        cache.set(file, readFileSync(resolve(root, file), 'utf8').split('\n'));
      } catch {
        cache.set(file, null);
      }
    }
    return cache.get(file)?.[line - 1];
  };
}
