// The facts of a kernel's include/linux/mmu_notifier.h that name its API
// level: the members of the ops structs and the fields of the range. Read
// from the text (comments dropped, braces matched), not parsed: the header is
// read once per scan, before anything else, and only its struct bodies count.
import { apiFromFacts, type ApiLevel, type HeaderFacts } from '../model/api.js';

/** The text with its comments blanked (kept the same length, so offsets hold). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (c) => c.replace(/[^\n]/g, ' '));
}

/** The bodies (between the braces) of every definition of `struct NAME { ... }`. */
function structBodies(text: string, name: string): string[] {
  const out: string[] = [];
  const head = new RegExp(`\\bstruct\\s+${name}\\s*\\{`, 'g');
  for (let m = head.exec(text); m; m = head.exec(text)) {
    let depth = 1;
    let i = m.index + m[0].length;
    const from = i;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}') depth--;
    }
    if (depth === 0) out.push(text.slice(from, i - 1));
  }
  return out;
}

/**
 * The members of a struct body, each declaration's name: a function
 * pointer's (`ret (*name)(args);`), else the last identifier (`int flags;`).
 */
function members(body: string): string[] {
  const out: string[] = [];
  for (const decl of body.split(';')) {
    const pointer = /\(\s*\*\s*(\w+)\s*\)\s*\(/.exec(decl);
    const data = /(\w+)\s*(?:\[[^\]]*\]\s*)?(?::\s*\d+\s*)?$/.exec(decl.trim());
    if (pointer) out.push(pointer[1]!);
    else if (data) out.push(data[1]!);
  }
  return out;
}

function union(lists: readonly string[][]): string[] {
  return [...new Set(lists.flat())];
}

/** What the header declares; a struct it does not define is undefined (mmu_notifier_ops: empty). */
export function readNotifierHeader(text: string): HeaderFacts {
  const code = withoutComments(text);
  const hlist = structBodies(code, 'mmu_notifier_ops');
  const interval = structBodies(code, 'mmu_interval_notifier_ops');
  const range = structBodies(code, 'mmu_notifier_range');
  return {
    mmu_notifier_ops: union(hlist.map(members)),
    mmu_interval_notifier_ops: interval.length ? union(interval.map(members)) : undefined,
    mmu_notifier_range: range.length ? union(range.map(members)) : undefined,
  };
}

/** The level of a tree from its header's text and its Makefile's version (see apiFromFacts). */
export function apiFromHeader(header: string, version?: string): ApiLevel {
  return apiFromFacts(readNotifierHeader(header), version);
}
