// The parsed IR of files, kept on disk between runs (the way ccache keeps
// objects): an entry is named by a hash of this build, the file's name, the
// functions asked of it and its whole text, so any change to any of them is a
// miss, never a stale hit. Best effort: a cache that cannot be read or written
// is no cache, and a damaged entry is a miss.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { FileIR } from '../ir/types.js';

export class IrCache {
  hits = 0;
  misses = 0;
  private ready = false;

  /** `build` names this build of mnlint (a hash of its code): entries of another build are never read. */
  constructor(
    readonly dir: string,
    private readonly build: string,
  ) {}

  key(file: string, wanted: readonly string[], text: string): string {
    return createHash('sha256').update(this.build).update('\0').update(file).update('\0').update(wanted.join(',')).update('\0').update(text).digest('hex');
  }

  get(key: string): FileIR | undefined {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.path(key));
    } catch {
      this.misses++;
      return undefined;
    }
    try {
      const ir = deserialize(bytes) as FileIR;
      if (typeof ir?.file !== 'string' || !Array.isArray(ir.functions)) throw new Error('not an IR');
      this.hits++;
      return ir;
    } catch {
      rmSync(this.path(key), { force: true });
      this.misses++;
      return undefined;
    }
  }

  put(key: string, ir: FileIR): void {
    try {
      if (!this.ready) {
        mkdirSync(join(this.dir, 'ir'), { recursive: true });
        this.ready = true;
      }
      // written whole, then renamed: a reader never sees half an entry
      const tmp = `${this.path(key)}.${process.pid}.tmp`;
      writeFileSync(tmp, serialize(ir));
      renameSync(tmp, this.path(key));
    } catch {
      // a read-only or full cache only costs the next run a parse
    }
  }

  private path(key: string): string {
    return join(this.dir, 'ir', key);
  }
}
