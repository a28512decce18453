// Reading C sources from disk: directory walks, the cheap prefilter, and the
// checks that turn bad input into one clear message.
import { isUtf8 } from 'node:buffer';
import { closeSync, type Dirent, lstatSync, openSync, readSync, readdirSync, realpathSync, statSync, fstatSync } from 'node:fs';
import { describeFsError, InputError, notRegular, readInput } from './read.js';
import { relative, resolve, sep } from 'node:path';

/** A file larger than this is not C source mnlint analyzes. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;
/** Nor one with a line longer than this (minified or generated data). */
export const MAX_LINE_CHARS = 64 * 1024;

export { describeFsError, InputError, notRegular } from './read.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Reads and validates one file as C source text. */
export function readSource(path: string): string {
  // the size first, for a message that says it; then read to the end, which a size of 0 (/proc) does not stop
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    throw new InputError(path, describeFsError(e));
  }
  if (size > MAX_FILE_BYTES) throw new InputError(path, `too large (${size} bytes; limit ${MAX_FILE_BYTES})`);
  const bytes = readInput(path, { max: MAX_FILE_BYTES });
  if (bytes.includes(0)) throw new InputError(path, 'binary file (contains NUL bytes), not C source');
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new InputError(path, 'not valid UTF-8');
  }
  // old Mac line ends (a lone CR) are line ends: same length, so offsets stay
  if (text.includes('\r')) text = text.replace(/\r(?!\n)/g, '\n');
  let lineStart = 0;
  for (let i = text.indexOf('\n'); ; i = text.indexOf('\n', i + 1)) {
    const end = i < 0 ? text.length : i;
    if (end - lineStart > MAX_LINE_CHARS) {
      const line = text.slice(0, lineStart).split('\n').length;
      throw new InputError(path, `line ${line} is ${end - lineStart} characters long (limit ${MAX_LINE_CHARS}), not C source mnlint can analyze`);
    }
    if (i < 0) break;
    lineStart = i + 1;
  }
  return text;
}

/** Why a path that does not resolve cannot be read: a dangling link or a loop are said so. */
export function missingPathReason(path: string): string {
  try {
    lstatSync(path);
  } catch {
    return 'no such file or directory';
  }
  try {
    statSync(path);
    return 'cannot read';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'a dangling symbolic link' : describeFsError(e);
  }
}

/**
 * One directory's `.c` files (sorted) and subdirectories (sorted); what cannot
 * be read or opened is named. A link to a regular `.c` file outside `root` (the
 * walk's real path) is read as the compiler would read it; one inside is read
 * under its own name already.
 */
function readDirEntries(d: string, root: string, onError: (path: string, message: string) => void): { files: string[]; subdirs: string[] } {
  let entries: Dirent[];
  try {
    entries = readdirSync(d, { withFileTypes: true });
  } catch (e) {
    onError(d, describeFsError(e));
    return { files: [], subdirs: [] };
  }
  const subdirs: string[] = [];
  const files: string[] = [];
  // d is normalized and names have no slash: plain concatenation is join()'s result, without its cost
  const base = d.endsWith('/') ? d : `${d}/`;
  for (const ent of entries) {
    if (ent.isDirectory()) {
      if (ent.name !== '.git' && ent.name !== 'node_modules') subdirs.push(base + ent.name);
    } else if (ent.isFile() && ent.name.endsWith('.c')) {
      files.push(base + ent.name);
    } else if (ent.name.endsWith('.c')) {
      // a .c that is no regular file is named, never opened (a FIFO would block)
      const path = base + ent.name;
      if (ent.isSymbolicLink()) {
        // a link to nowhere, a loop or to no regular file is named
        try {
          const kind = notRegular(path);
          if (kind) onError(path, kind);
          else if (!realpathSync(path).startsWith(`${root}/`)) files.push(path);
        } catch (e) {
          onError(path, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'a dangling symbolic link' : describeFsError(e));
        }
      } else onError(path, ent.isFIFO() ? 'a FIFO, not a regular file' : ent.isSocket() ? 'a socket, not a regular file' : 'not a regular file');
    }
  }
  return { files: files.sort(), subdirs: subdirs.sort() };
}

/**
 * Walks a directory for `.c` files, depth first in name order, yielding them
 * as it goes (so their reading can start early); links to directories are not
 * followed, links to `.c` files outside the directory are.
 */
export function* walkCFiles(dir: string, onError: (path: string, message: string) => void): Generator<string> {
  let root: string;
  try {
    root = realpathSync(dir);
  } catch {
    root = resolve(dir);
  }
  const stack = [dir];
  while (stack.length) {
    const { files, subdirs } = readDirEntries(stack.pop()!, root, onError);
    yield* files;
    stack.push(...subdirs.reverse());
  }
}

/**
 * The `.c` files under a directory, sorted. With `limit`, gives up (null)
 * once more files than that are seen.
 */
export function walkC(dir: string, onError: (path: string, message: string) => void): string[];
export function walkC(dir: string, onError: (path: string, message: string) => void, limit: number): string[] | null;
export function walkC(dir: string, onError: (path: string, message: string) => void, limit = Infinity): string[] | null {
  const out: string[] = [];
  for (const file of walkCFiles(dir, onError)) {
    out.push(file);
    if (out.length > limit) return null;
  }
  return out.sort();
}

const CHUNK = 1 << 20;
const scratch = Buffer.allocUnsafe(CHUNK);

/**
 * The prefilter: 'tables' when the file names an ops struct (it may define or
 * bind a table: parse it), 'mention' when it only uses the API (parse it when a
 * callee is wanted from it), false otherwise. Reads through a reused buffer, so
 * a whole-tree scan allocates almost nothing.
 */
export function notifierMention(path: string): 'tables' | 'mention' | false {
  const fd = openSync(path, 'r');
  try {
    let pos = 0;
    const overlap = 32;
    let mention = false;
    for (;;) {
      const n = readSync(fd, scratch, 0, CHUNK, pos);
      if (n <= 0) return mention ? 'mention' : false;
      const view = n === CHUNK ? scratch : scratch.subarray(0, n);
      // a binary file is named, never skipped in silence
      if (view.indexOf(0) >= 0) throw new InputError(path, 'binary file (contains NUL bytes), not C source');
      if (!isUtf8(n < CHUNK ? view : wholeCharacters(view))) throw new InputError(path, 'not valid UTF-8');
      if (!mention) mention = namesApi(view);
      if (mention && view.indexOf('notifier_ops') >= 0) return 'tables';
      if (n < CHUNK) return mention ? 'mention' : false;
      pos += n - overlap;
    }
  } finally {
    closeSync(fd);
  }
}

/** A full chunk up to its last character's first byte: the rest is read again with the next chunk. */
function wholeCharacters(view: Buffer): Buffer {
  let end = view.length;
  while (end > view.length - 4 && end > 0 && (view[end - 1]! & 0xc0) === 0x80) end--;
  // the lead byte of a character the chunk cut, if it is one
  if (end > 0 && view[end - 1]! >= 0xc0) end--;
  return view.subarray(0, end);
}

/**
 * Whether a chunk names `mmu_notifier` or `mmu_interval_notifier`: one pass
 * over it for `mmu_`, each hit checked in place (both names start so; a
 * chunk of an unrelated file has few or none).
 */
function namesApi(view: Buffer): boolean {
  for (let at = view.indexOf('mmu_'); at >= 0; at = view.indexOf('mmu_', at + 4)) {
    if (matchAt(view, at + 4, 'notifier') || matchAt(view, at + 4, 'interval_notifier')) return true;
  }
  return false;
}

function matchAt(view: Buffer, at: number, word: string): boolean {
  if (at + word.length > view.length) return false;
  for (let i = 0; i < word.length; i++) if (view[at + i] !== word.charCodeAt(i)) return false;
  return true;
}

/** Reads a file as Latin-1 text through the shared buffer (for text searches only). */
export function readLatin1(path: string): string {
  try {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const buf = size <= CHUNK ? scratch : Buffer.allocUnsafe(size);
      const n = readSync(fd, buf, 0, Math.min(size, buf.length), 0);
      return buf.toString('latin1', 0, n);
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A path relative to the scan root, with forward slashes. */
export function relName(root: string, path: string): string {
  const rel = relative(root, resolve(path));
  return (rel === '' ? path : rel).split(sep).join('/');
}
