// What a test needs from outside the repository, and how to get it. A test
// missing one is skipped with one line naming it; .ci/run, where everything
// is installed, fails on any skip.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestContext } from 'vitest';
import { haveKernel, kernelDir } from './kernel-trees.js';
import { SEEDS } from './seeds.js';

/** Why a need is not met, or null. */
export type Missing = string | null;

export function needKernel(version: string): Missing {
  return haveKernel(version) ? null : `linux-${version} (not in ${kernelDir(version)}: apt install linux-source-${version}, then npm run fetch-kernels)`;
}

export function needSeeds(): Missing {
  return existsSync(SEEDS) ? null : `the seeds (${SEEDS} missing: the project's shared/seeds folder beside the checkout, or MNLINT_SEEDS)`;
}

export function needProgram(command: string, pkg: string): Missing {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0 ? null : `${command} (apt install ${pkg})`;
}

export function needSendEmail(): Missing {
  const exec = spawnSync('git', ['--exec-path'], { encoding: 'utf8' }).stdout.trim();
  return existsSync(join(exec, 'git-send-email')) ? null : 'git send-email (apt install git-email)';
}

export function needFile(path: string, how: string): Missing {
  return existsSync(resolve(path)) ? null : `${path} (${how})`;
}

/** Skips the running test, naming what it lacks, when any need is not met. */
export function skipUnless(ctx: TestContext, ...needs: Missing[]): void {
  const missing = needs.filter((n): n is string => n !== null);
  if (missing.length) ctx.skip(`needs ${missing.join('; ')}`);
}
