// The one way in for a file a command reads: a regular file (or standard input
// for `-`), read to its end up to a size cap, every failure an InputError
// naming the path. A FIFO, a device (/dev/zero), a socket or a directory is
// refused before it is opened, so nothing blocks and nothing reads forever.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

/**
 * Bad input or a bad command line: the run exits 2 and prints the message, one
 * line that names the input. Every error class of mnlint's inputs extends it.
 */
export class MnlintError extends Error {}

/** A file that cannot be read as asked: `path: reason`. */
export class InputError extends MnlintError {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** A file larger than this is no input mnlint reads (a mail archive, a config, a patch series). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** What a path is when it is no regular file; null for a regular file. Throws as stat does (a missing path). */
export function notRegular(path: string): string | null {
  const st = statSync(path);
  if (st.isFile()) return null;
  return st.isFIFO()
    ? 'a FIFO, not a regular file'
    : st.isSocket()
      ? 'a socket, not a regular file'
      : st.isCharacterDevice() || st.isBlockDevice()
        ? 'a device, not a regular file'
        : st.isDirectory()
          ? 'a directory, not a regular file'
          : 'not a regular file';
}

export function describeFsError(e: unknown): string {
  if (e instanceof InputError) return e.reason;
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'ENOTDIR':
      return 'a path through something that is not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EIO':
      return 'cannot read (EIO: input/output error)';
    case 'ENAMETOOLONG':
      return 'file name too long';
    default:
      return err.code ? `cannot read (${err.code})` : `cannot read (${String(err.message ?? e)})`;
  }
}

export interface ReadOptions {
  /** the largest file accepted (default MAX_INPUT_BYTES) */
  max?: number;
  /** what the path is called in messages (default the path itself: `--config x.json`) */
  label?: string;
}

/**
 * A regular file's bytes, read to its end (a size of 0, as /proc reports, is
 * not trusted); `-` is standard input. Throws InputError naming the path.
 */
export function readInput(path: string, opts: ReadOptions = {}): Buffer {
  const max = opts.max ?? MAX_INPUT_BYTES;
  const label = opts.label ?? path;
  if (path === '-') return readFd(0, label === '-' ? '<stdin>' : label, max);
  let fd: number;
  try {
    const kind = notRegular(path);
    if (kind) throw new InputError(label, kind);
    fd = openSync(path, 'r');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(label, describeFsError(e));
  }
  try {
    // stat named a regular file; the descriptor's own says what was opened
    if (!fstatSync(fd).isFile()) throw new InputError(label, 'not a regular file');
    return readFd(fd, label, max);
  } finally {
    closeSync(fd);
  }
}

/** The text of readInput, as UTF-8. */
export function readInputText(path: string, opts: ReadOptions = {}): string {
  return readInput(path, opts).toString('utf8');
}

/**
 * A JSON file (a configuration, a baseline, a state) read as readInputText
 * reads it, a byte order mark dropped (some Windows editors write one); text
 * that is not JSON is an InputError in one line, the text never echoed.
 */
export function readJsonInput(path: string, opts: ReadOptions & { label: string }): unknown {
  const text = readInputText(path, opts).replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (e) {
    // V8's message may quote the text, newlines and all
    const why = (e as Error).message.replace(/,? ".*" is not valid JSON$/s, ' (not valid JSON)').replace(/\s+/g, ' ');
    throw new InputError(opts.label, `not JSON (${why})`);
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Reads a descriptor to its end, refusing more than `max` bytes. */
function readFd(fd: number, label: string, max: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, max + 1 - total));
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      // a non-blocking standard input with nothing yet: wait and read again
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(sleeper, 0, 0, 10);
        continue;
      }
      throw new InputError(label, describeFsError(e));
    }
    if (n === 0) break;
    chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    total += n;
    if (total > max) throw new InputError(label, `too large (more than ${max} bytes)`);
  }
  return Buffer.concat(chunks, total);
}

/** A directory that must exist: the reason it is not one, else null. */
export function notDirectory(path: string): string | null {
  try {
    return statSync(path).isDirectory() ? null : 'not a directory';
  } catch (e) {
    return describeFsError(e);
  }
}

/**
 * A tree file a patch names: its UTF-8 text, null when there is none; a FIFO
 * or a device there is an InputError, never opened.
 */
export function readTreeText(path: string): string | null {
  try {
    statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
  }
  return readInputText(path);
}
