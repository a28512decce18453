// The atoms the engine and the checkers make (see ir/types.ts `Atom`).
import { FAILABLE_ACQUIRES } from '../../ir/kernel-api/locks.js';

/** The atom for "this call returned non-zero". */
export function resultAtom(callee: string, at: { line: number; column: number }): string {
  return `ret:${callee}@${at.line}:${at.column}`;
}

/** Whether an atom is the result of an acquire that can fail (`mutex_lock_interruptible`). */
export function failingAcquire(atom: string): boolean {
  const m = /^ret:([^@]+)@/.exec(atom);
  return !!m && FAILABLE_ACQUIRES.has(m[1]!);
}
