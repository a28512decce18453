// What a build defines at the top of a file: kbuild's -D/-U flags and
// include/generated/autoconf.h, as src/input/kbuild.ts reads them and
// src/parser/cpp.ts decides #if chains with them.

/** What the build's -D/-U flags and autoconf.h define at the top of a file (kbuild's CHECK). */
export interface MacroEnv {
  /** object-like macros and their values (`-DX` is `1`) */
  readonly defines: ReadonlyMap<string, string>;
  /** names known not to be defined (`-UX`) */
  readonly undefined: ReadonlySet<string>;
  /** autoconf.h was read: a CONFIG_ option it does not define is off */
  readonly configComplete: boolean;
}
