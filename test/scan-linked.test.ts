// Directories named together are one program: a callee defined in another
// named directory (an architecture's hook beside virt/kvm) is followed, as the
// kernel's Makefiles link them; named alone, another area is never searched.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { analyze } from '../src/engine/analyze.js';
import { scan } from '../src/engine/scan.js';
import { REPO } from './helpers.js';

const TREE = join(REPO, 'fixtures/trees/linked');

async function findingsOf(dirs: string[]): Promise<string[]> {
  const result = await scan({ paths: dirs.map((d) => join(TREE, d)), root: TREE, jobs: 1 });
  return analyze(result.files, result.index).map((f) => `${f.severity} ${f.rule} ${f.file}:${f.line}`);
}

describe('directories named together', () => {
  test('the generic code reaches the hook of the architecture named with it', async () => {
    expect(await findingsOf(['virt/kvmish', 'arch/toy/kvmish'])).toEqual(['error sleep-in-non-blockable-range arch/toy/kvmish/mmu.c:8']);
  });

  test('named alone, the generic code does not reach into arch/', async () => {
    expect(await findingsOf(['virt/kvmish'])).toEqual([]);
  });
});
