// Kernel-C pre-pass: rewrites what tree-sitter-c reads wrongly in kernel code
// without changing the length of anything, so byte offsets, lines and columns
// of the parse tree are those of the original file.
//
// - preprocessor directives are blanked; of an #if/#else chain only one branch
//   is kept (the positive one; the #else of an #ifndef / #if !X), #if 0 dropped;
// - attribute macros (`__must_check`, `__rcu`, `__acquires(x)`, ...) blanked;
// - statement-position macro calls followed by a body (`list_for_each_entry(...) {`,
//   `scoped_guard(...) {`, `xa_for_each(...) stmt`) become `while (...)`;
// - type arguments of macros (`container_of(p, struct foo, m)`,
//   `min_t(unsigned long, a, b)`) become one identifier (`struct_foo`).
//
// The first pass (comments, literals, directives, #if chains) is in
// lexical-mask.ts, the macro rewrites in macro-scan.ts with the words they
// know in macro-words.ts; this file puts them together for one file.
import { blankOut, codeUnits, utf16, type Out } from './code-units.js';
import { conditionalRegions, maskLexical } from './lexical-mask.js';
import { scanMacros, type MacroLoop } from './macro-scan.js';

export interface PrepassResult {
  text: string;
  /** the source with comments, literal bodies, directives and dropped #if branches blanked: for text searches */
  masked: string;
  /** statement macros rewritten to `while`, so facts can name the real macro */
  loops: MacroLoop[];
}

/**
 * A file on its way to the parser: masked once (comments, literals,
 * directives, dropped #if branches), then its macros rewritten range by range,
 * only where tree-sitter will read.
 */
export class KernelSource {
  /** comments, literal bodies, directives and dropped #if branches blanked */
  readonly masked: string;
  readonly loops: MacroLoop[] = [];
  private readonly out: Out;
  private readonly scanned: Array<[number, number]> = [];

  constructor(src: string) {
    const { masked, directives } = maskLexical(src);
    this.out = codeUnits(src);
    for (const [from, to] of [...conditionalRegions(src, directives), ...directives]) {
      blankOut(this.out, from, to);
      blankOut(masked, from, to);
    }
    this.masked = utf16.decode(masked);
  }

  /** Rewrites the macros of these ranges (each starting at file scope), once. */
  rewrite(ranges: ReadonlyArray<readonly [number, number]>): void {
    for (const [from, to] of ranges) {
      if (this.scanned.some(([a, b]) => a <= from && to <= b)) continue;
      scanMacros(this.masked, this.out, this.loops, from, to);
      this.scanned.push([from, to]);
      this.decoded = undefined;
    }
  }

  /** The text to parse: the source with every rewrite so far (decoded again only after a rewrite). */
  text(): string {
    this.decoded ??= utf16.decode(this.out);
    return this.decoded;
  }

  private decoded: string | undefined;
}

export function prepass(src: string): PrepassResult {
  const ks = new KernelSource(src);
  ks.rewrite([[0, src.length]]);
  return { text: ks.text(), masked: ks.masked, loops: ks.loops };
}
