// The derived facts of a scan (parser/derive-facts.ts): read from the tree
// when it holds the kernel's core (kernel/, mm/, include/linux/) of another
// release than 6.12, once per tree and build, kept in the IR cache's
// directory; otherwise the table generated from Debian's Linux 6.12
// (scripts/derive-facts.ts), which the repository carries.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as z from 'zod/mini';
import type { DerivedTable } from '../ir/facts-db.js';
import { FALLBACK_DERIVED } from '../ir/kernel-api/derived.js';
import { kernelTopOf } from '../input/tree.js';
import { DERIVATION, DERIVED_AREAS, definitionsOf, deriveFacts } from '../parser/derive-facts.js';

/** A derived table as the cache keeps it. */
const CachedTable = z.object({
  source: z.string(),
  sleeps: z.record(z.string(), z.string()),
  reclaims: z.record(z.string(), z.tuple([z.number(), z.string()])),
});

/** The release of the generated table. */
const FALLBACK_RELEASE = '6.12';

/** A tree's `VERSION.PATCHLEVEL` from its top Makefile, if it has one. */
function releaseOf(root: string): string | undefined {
  try {
    const head = readFileSync(join(root, 'Makefile'), 'latin1').slice(0, 2000);
    const v = /^VERSION\s*=\s*(\d+)/m.exec(head)?.[1];
    const p = /^PATCHLEVEL\s*=\s*(\d+)/m.exec(head)?.[1];
    return v && p ? `${v}.${p}` : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a directory is a kernel tree whose core the facts can be derived from. */
export function holdsKernelCore(root: string): boolean {
  return existsSync(join(root, 'kernel', 'sched')) && existsSync(join(root, 'mm')) && existsSync(join(root, 'include', 'linux'));
}

/** The files the derivation reads, tree-relative: .c of kernel/, mm/, lib/, drivers/base/; .h of include/. */
export function derivedSources(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string, ext: string): void => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const name = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(name, ext);
      else if (e.isFile() && e.name.endsWith(ext)) out.push(name);
    }
  };
  for (const a of DERIVED_AREAS) {
    const dir = a.replace(/\/$/, '');
    walk(dir, dir === 'include' ? '.h' : '.c');
  }
  return out.sort();
}

/** Derives the table of a tree, reading every source of its derived areas. */
export function deriveTree(root: string, source: string, files = derivedSources(root)): DerivedTable {
  const defs = files.flatMap((f) => {
    let text: string;
    try {
      text = readFileSync(join(root, f), 'latin1');
    } catch {
      return [];
    }
    return definitionsOf(f, text);
  });
  return deriveFacts(defs, source);
}

/**
 * The derived facts for a scan of `scanned`: its tree's own when it holds the
 * core of another release than 6.12 (cached under `cacheDir` by this build,
 * the tree's path and its Makefile's version), else the generated 6.12 table.
 */
export function derivedFactsFor(scanned: string, build: string, cacheDir?: string): DerivedTable {
  // a driver directory inside a tree takes that tree's core
  const root = kernelTopOf(scanned) ?? scanned;
  // a tree of the release the table comes from is that table (a derivation costs seconds)
  if (!holdsKernelCore(root) || releaseOf(root) === FALLBACK_RELEASE) return FALLBACK_DERIVED;
  // once per tree: named by the build, the tree's place and its Makefile's version lines (walking
  // and stating the sources on every run would cost more than the rules; an edit of the core
  // derives again once the entry is deleted)
  const h = createHash('sha256').update(build).update(`\0${DERIVATION}\0`).update(resolve(root));
  try {
    h.update('\0').update(readFileSync(join(root, 'Makefile'), 'latin1').slice(0, 400));
  } catch {
    h.update('\0-');
  }
  const key = h.digest('hex');
  const path = cacheDir ? join(cacheDir, 'derived', `${key}.json`) : undefined;
  if (path) {
    try {
      // a cache entry of another build or a torn write is a miss, not a table
      const cached = CachedTable.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      if (cached.success) return cached.data;
    } catch {
      // a miss: derived below
    }
  }
  const table = deriveTree(root, root);
  if (path) {
    try {
      mkdirSync(join(cacheDir!, 'derived'), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(table));
      renameSync(tmp, path);
    } catch {
      // no cache: the next run derives again
    }
  }
  return table;
}
