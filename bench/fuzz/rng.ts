// A seeded PRNG (mulberry32 over a splitmix32-mixed seed): the campaign's
// cases are a function of the seed alone, so a failing case is re-made by
// its seed and index (`--seed S --only I`).

export class Rng {
  private s: number;
  constructor(seed: number) {
    let z = (seed + 0x9e3779b9) | 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    this.s = (z ^ (z >>> 16)) >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    if (!xs.length) throw new Error('pick from nothing');
    return xs[this.int(xs.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** The rng of case `i` of a campaign with `seed`: each case stands alone. */
  static forCase(seed: number, i: number): Rng {
    return new Rng((Math.imul(seed, 0x27d4eb2d) ^ Math.imul(i + 1, 0x165667b1)) | 0);
  }
}
