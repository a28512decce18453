// Types for bench/lib.mjs, so bench/patch.ts type-checks.
interface Measured {
  seconds: number;
  rssMB: number | null;
  status: number | null;
  stdout: string;
  stderr: string;
}
interface Side {
  name: string;
  cmd: [string, string[], string];
  check?: (r: Measured) => void;
}
export function option(name: string, fallback: string): string;
export function fail(message: string): never;
export function measure(cmd: string, argv: string[], cwd: string): Measured;
export function median(xs: number[]): number;
export function compare(
  runs: number,
  label: string,
  a: Side,
  b: Side,
): {
  label: string;
  a: string;
  b: string;
  aMedian: number;
  bMedian: number;
  aRuns: number[];
  bRuns: number[];
  aPeakRssMB: number | null;
};
