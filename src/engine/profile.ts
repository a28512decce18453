// MNLINT_PROFILE=1: phase times (since the process started) on stderr, for
// bench/profile.mjs; nothing otherwise.
const enabled = !!process.env.MNLINT_PROFILE;

/** Marks the end of a phase of this run. */
export function mark(phase: string): void {
  if (!enabled) return;
  const m = process.memoryUsage();
  const mb = (n: number): string => (n / 1048576).toFixed(0);
  process.stderr.write(
    `mnlint: profile: ${performance.now().toFixed(0)} ms ${phase} (rss ${mb(m.rss)} MB, heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} MB, external ${mb(m.external)} MB, buffers ${mb(m.arrayBuffers)} MB)\n`,
  );
}
