// What the typestate rules share: the facts of one protocol in a function,
// one per place and message, with the events they point at.
import type { Event, FunctionIR, TypestateFact } from '../ir/types.js';

/** The facts of a protocol and kinds in a function, one per place (the paths reaching one call give one finding). */
export function typestateFacts(fn: FunctionIR, protocol: string, kinds: readonly TypestateFact['kind'][]): Array<TypestateFact & { use: Event | null; from: Event | null }> {
  const byPlace = new Map<string, TypestateFact & { use: Event | null; from: Event | null }>();
  for (const f of fn.typestates ?? []) {
    if (f.protocol !== protocol || !kinds.includes(f.kind)) continue;
    const use = f.event === null ? null : (fn.events[f.event] ?? null);
    const from = f.since === null ? null : (fn.events[f.since] ?? null);
    const at = use?.loc ?? f.loc ?? from?.loc;
    const key = `${f.kind}:${f.object}:${f.state}:${at?.line}:${at?.column}`;
    if (!byPlace.has(key)) byPlace.set(key, { ...f, use, from });
  }
  return [...byPlace.values()];
}

/** A call event as written: `name(args)`. */
export function callText(e: Event): string {
  return `${e.name}(${'args' in e ? e.args.join(', ') : ''})`;
}
