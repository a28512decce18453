import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // the CLI's IR cache, away from the user's own
    env: { MNLINT_CACHE_DIR: join(tmpdir(), `mnlint-test-cache-${process.pid}`) },
    testTimeout: 120_000,
    hookTimeout: 900_000,
    pool: 'forks',
  },
});
