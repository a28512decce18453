// A Bloom filter of the function names a file may define: what a worker hands
// back for each candidate file of the callee search, 1 KB or so instead of
// every name as a string. A hit is confirmed on the file's text before use,
// so a false positive costs one read and never changes a result.

const HASHES = 3;

function fnv1a(name: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A filter sized for `count` names (about 1% false positives). */
export function nameFilter(names: Iterable<string>, count: number): Uint32Array {
  let bits = 1024;
  while (bits < count * 10) bits *= 2;
  const words = new Uint32Array(bits / 32);
  for (const n of names) {
    const h1 = fnv1a(n, 0);
    const h2 = fnv1a(n, 0x9e3779b9) | 1;
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + i * h2) & (bits - 1);
      words[bit >>> 5]! |= 1 << (bit & 31);
    }
  }
  return words;
}

/** Whether the filter may hold `name` (false: it surely does not). */
export function mayHold(filter: Uint32Array, name: string): boolean {
  const bits = filter.length * 32;
  const h1 = fnv1a(name, 0);
  const h2 = fnv1a(name, 0x9e3779b9) | 1;
  for (let i = 0; i < HASHES; i++) {
    const bit = (h1 + i * h2) & (bits - 1);
    if (!(filter[bit >>> 5]! & (1 << (bit & 31)))) return false;
  }
  return true;
}
