// test/action.test.ts again, with the committed bundle run by Node 24: the
// runtime action.yml declares (`using: node24`), as GitHub's runners have it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { actionRuntime, NODE24, needNode24, nodeVersion } from './action-node.js';
import { REPO } from './helpers.js';
import { skipUnless } from './needs.js';

const missing = needNode24();

test('action.yml runs the bundle on node24, the binary here is Node 24', (ctx) => {
  expect(readFileSync(join(REPO, 'action.yml'), 'utf8')).toMatch(/^runs:\n {2}using: node24\n {2}main: dist\/action\.js\n/m);
  skipUnless(ctx, missing);
  expect(nodeVersion(NODE24)).toMatch(/^v24\.\d+\.\d+$/);
});

if (!missing) {
  actionRuntime.node = NODE24;
  // the same tests, registered in this file: their runs spawn actionRuntime.node
  await import('./action.test.js');
}
