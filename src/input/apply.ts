// Applying a file patch to a text, one hunk at a time (jsdiff, with offset and
// fuzz like patch(1)), so that a failure names the hunk that did not apply.
import { applyPatch } from 'diff';
import type { FilePatch } from './patch.js';

/** Context lines that may differ before a hunk is refused, like `patch -F2`. */
export const FUZZ = 2;

export type ApplyResult = { ok: true; text: string } | { ok: false; hunk: number; header: string };

export function hunkHeader(h: FilePatch['hunks'][number], section = ''): string {
  return `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@${section ? ` ${section}` : ''}`;
}

export function applyFilePatch(text: string, fp: FilePatch): ApplyResult {
  let current = text;
  for (let i = 0; i < fp.hunks.length; i++) {
    const hunk = fp.hunks[i]!;
    const next = applyPatch(current, { oldFileName: fp.oldPath ?? '', newFileName: fp.newPath ?? '', oldHeader: '', newHeader: '', hunks: [hunk] }, { fuzzFactor: FUZZ });
    if (next === false) return { ok: false, hunk: i + 1, header: hunkHeader(hunk) };
    current = next;
  }
  return { ok: true, text: current };
}

/** Lines of the post-image that a file patch adds, and the post-image ranges its hunks cover. */
export function changedLines(fp: FilePatch): { added: Set<number>; context: Array<[number, number]> } {
  const added = new Set<number>();
  const context: Array<[number, number]> = [];
  for (const h of fp.hunks) {
    let line = h.newStart;
    for (const l of h.lines) {
      if (l.startsWith('+')) added.add(line++);
      else if (l.startsWith(' ')) line++;
    }
    context.push([h.newStart, h.newStart + Math.max(0, h.newLines - 1)]);
  }
  return { added, context };
}

/** The patch the other way round: applied to the post-image, it gives the pre-image. */
export function reverseFilePatch(fp: FilePatch): FilePatch {
  return {
    ...fp,
    oldPath: fp.newPath,
    newPath: fp.oldPath,
    hunks: fp.hunks.map((h) => ({
      ...h,
      oldStart: h.newStart,
      oldLines: h.newLines,
      newStart: h.oldStart,
      newLines: h.oldLines,
      lines: h.lines.map((l) => (l.startsWith('+') ? `-${l.slice(1)}` : l.startsWith('-') ? `+${l.slice(1)}` : l)),
    })),
  };
}

/**
 * Where a patch changes a file, in post-image lines: each added line, and for
 * a deletion with nothing added in its place the line that now follows it.
 */
export function changePoints(fp: FilePatch): number[] {
  const out: number[] = [];
  for (const h of fp.hunks) {
    let line = h.newStart;
    let deleting = false;
    for (const l of h.lines) {
      if (l.startsWith('+')) {
        out.push(line++);
        deleting = false;
      } else if (l.startsWith('-')) deleting = true;
      else if (l.startsWith(' ')) {
        if (deleting) out.push(line);
        deleting = false;
        line++;
      }
    }
    if (deleting) out.push(Math.max(1, line));
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/**
 * Without a tree: the post-image as far as the hunks show it, every other line
 * blank, so the line numbers are the file's own. Only functions wholly inside
 * a hunk can be analyzed from it.
 */
export function hunksOnly(fp: FilePatch, side: 'post' | 'pre' = 'post'): string {
  const lines: string[] = [];
  const skip = side === 'post' ? '-' : '+';
  for (const h of fp.hunks) {
    let n = side === 'post' ? h.newStart : h.oldStart;
    for (const l of h.lines) {
      if (l.startsWith(skip) || l.startsWith('\\')) continue;
      while (lines.length < n - 1) lines.push('');
      lines[n - 1] = l.slice(1);
      n++;
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * How far each hunk of `fp` landed from the line its header names, in the
 * post-image `post` (a patch applied with an offset, as patch(1) says
 * "Hunk #1 succeeded at 540 (offset -1 lines)"). A hunk that only fuzz placed
 * keeps the offset of the one before.
 */
export function hunkOffsets(post: string, fp: FilePatch): number[] {
  const lines = post.split('\n');
  const out: number[] = [];
  let carry = 0;
  for (const h of fp.hunks) {
    const block = h.lines.filter((l) => l.startsWith(' ') || l.startsWith('+')).map((l) => l.slice(1));
    const at = (start: number): boolean => start >= 0 && block.every((b, i) => lines[start + i] === b);
    const expected = h.newStart - 1 + carry;
    let found: number | null = null;
    for (let d = 0; d <= lines.length && found === null; d++) {
      if (at(expected + d)) found = expected + d;
      else if (d && at(expected - d)) found = expected - d;
      if (expected + d > lines.length && expected - d < 0) break;
    }
    if (found !== null) carry = found - (h.newStart - 1);
    out.push(carry);
  }
  return out;
}

/** The file patch with each hunk where it landed (post-image line numbers of the tree). */
export function placedFilePatch(fp: FilePatch, offsets: readonly number[]): FilePatch {
  return { ...fp, hunks: fp.hunks.map((h, i) => ({ ...h, newStart: h.newStart + (offsets[i] ?? 0) })) };
}

/** A tree line as the patch numbers it: minus the offset of the last hunk at or above it. */
export function patchLineOf(fp: FilePatch, offsets: readonly number[], treeLine: number): number {
  let offset = offsets[0] ?? 0;
  fp.hunks.forEach((h, i) => {
    if (h.newStart + (offsets[i] ?? 0) <= treeLine) offset = offsets[i] ?? 0;
  });
  return treeLine - offset;
}

/**
 * For a post-image line that follows a deletion with nothing added in its
 * place: the old line number of the last line deleted there, else null.
 */
export function deletedBefore(fp: FilePatch, postLine: number): number | null {
  for (const h of fp.hunks) {
    let oldLine = h.oldStart;
    let newLine = h.newStart;
    let lastDeleted: number | null = null;
    for (const l of h.lines) {
      if (l.startsWith('-')) lastDeleted = oldLine++;
      else if (l.startsWith('+')) {
        newLine++;
        lastDeleted = null;
      } else if (l.startsWith(' ')) {
        if (newLine === postLine && lastDeleted !== null) return lastDeleted;
        lastDeleted = null;
        oldLine++;
        newLine++;
      }
    }
    if (newLine === postLine && lastDeleted !== null) return lastDeleted;
  }
  return null;
}
