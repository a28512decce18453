// Names, once and before any test runs, what the tests that read things from
// outside the repository will not find: those tests are skipped.
import { needNode24 } from './action-node.js';
import { needKernel, needProgram, needSeeds, needSendEmail } from './needs.js';

export default function setup(): void {
  const missing = [
    needKernel('6.12'),
    needKernel('6.1'),
    needSeeds(),
    needSendEmail(),
    needProgram('public-inbox-mda', 'public-inbox'),
    needProgram('script', 'util-linux'),
    needProgram('/usr/bin/chromium', 'chromium'),
    needNode24(),
  ].filter((m) => m !== null);
  for (const m of missing) process.stdout.write(`mnlint tests: skipping the tests that need ${m}\n`);
}
