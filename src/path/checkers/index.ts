// The checkers of a walk, in the order the engine asks them: the first to
// classify a call wins, and the events they record follow this order. A new
// checker is added here; the engine does not change. A typestate protocol is
// a table (ir/kernel-api/protocols.ts), each run by its own TypestateChecker.
import type { Checker, Engine } from './checker.js';
import { EffectChecker } from './effects.js';
import { FinishChecker } from './finish.js';
import { LockChecker } from './locks.js';
import { MemoryChecker } from './memory.js';
import { ReadSideChecker } from './read-side.js';
import { TypestateChecker } from './typestate.js';
import { PROTOCOLS } from '../../ir/kernel-api/protocols.js';

/** The checkers of one function's walk; the lock checker apart, as scoped_guard() asks it directly. */
export function checkersFor(eng: Engine): { checkers: readonly Checker[]; locks: LockChecker } {
  const locks = new LockChecker(eng);
  return { checkers: [new ReadSideChecker(eng), locks, new MemoryChecker(eng), new EffectChecker(eng), new FinishChecker(eng), ...PROTOCOLS.map((p) => new TypestateChecker(eng, p))], locks };
}
