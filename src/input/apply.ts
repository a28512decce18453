// Applying a file patch to a text, one hunk at a time with offset and fuzz as
// GNU patch places them: the hunks that apply applied, each other one named.
import type { FilePatch } from './patch.js';

/** Context lines that may differ before a hunk is refused, like `patch -F2`. */
export const FUZZ = 2;

export type ApplyResult = { ok: true; text: string } | { ok: false; hunk: number; header: string };

export function hunkHeader(h: FilePatch['hunks'][number], section = ''): string {
  return `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@${section ? ` ${section}` : ''}`;
}

/** Why a hunk was not applied. */
export type RejectReason = 'context not found' | 'conflicts with an earlier hunk';

/** One hunk of a file patch, as applying it went. */
export type HunkOutcome =
  | { hunk: number; header: string; applied: true /** its first line in the result (1-based) */; at: number /** from the line its header names */; offset: number; fuzz: number }
  | { hunk: number; header: string; applied: false; reason: RejectReason /** the earlier hunk it overlaps */; conflictsWith?: number };

/** Each hunk that applies applied, the others rejected: the result and each hunk's outcome. */
export interface HunksResult {
  text: string;
  hunks: HunkOutcome[];
}

type Hunk = FilePatch['hunks'][number];

/**
 * GNU patch's placement (patch.c locate_hunk, patch_match, apply_hunk): the
 * hunks in order, each searched for from its header's line plus the offset of
 * the last one placed, nearest first, never before the last line an earlier
 * hunk changed; with fuzz F the first and last F lines of context are not
 * compared (and stay as the file has them). A hunk found nowhere is rejected
 * and the others still apply, as `patch` does, writing it to a .rej file.
 */
export function applyHunks(text: string, given: FilePatch, maxFuzz = FUZZ): HunksResult {
  const fp = sameLineEnds(text, given);
  const endsWithNewline = text === '' || text.endsWith('\n');
  const input = text === '' ? [] : (endsWithNewline ? text.slice(0, -1) : text).split('\n');
  const out: string[] = [];
  let copied = 0; // input lines copied to out (the last frozen line)
  let inOffset = 0;
  const outcomes: HunkOutcome[] = [];
  // for naming a conflict: the input lines each applied hunk changed
  const changed: Array<{ hunk: number; from: number; to: number }> = [];
  let noNewlineAtEnd: boolean | null = null;
  fp.hunks.forEach((h, i) => {
    const header = hunkHeader(h);
    const pattern = h.lines.filter((l) => l[0] === ' ' || l[0] === '-' || l === '').map((l) => l.slice(1));
    const placed = locate(input, h, pattern, copied, inOffset, maxFuzz);
    if (!placed) {
      // would it fit if the earlier hunks had not claimed the lines before it?
      const free = locate(input, h, pattern, 0, inOffset, maxFuzz);
      const over = free ? changed.find((c) => free.where <= c.to && free.where + pattern.length - 1 >= c.from) : undefined;
      outcomes.push(over ? { hunk: i + 1, header, applied: false, reason: 'conflicts with an earlier hunk', conflictsWith: over.hunk } : { hunk: i + 1, header, applied: false, reason: 'context not found' });
      return;
    }
    inOffset = placed.where - first(h);
    // apply_hunk refuses a hunk whose first change falls on a line an earlier hunk already wrote ("misordered hunks")
    const firstChange =
      placed.where -
      1 +
      h.lines
        .slice(
          0,
          Math.max(
            0,
            h.lines.findIndex((l) => l[0] === '-' || l[0] === '+'),
          ),
        )
        .filter((l) => l[0] !== '\\').length;
    if (firstChange < copied) {
      const over = changed.find((c) => firstChange + 1 <= c.to && placed.where + pattern.length - 1 >= c.from);
      outcomes.push({ hunk: i + 1, header, applied: false, reason: 'conflicts with an earlier hunk', ...(over ? { conflictsWith: over.hunk } : {}) });
      return;
    }
    // apply_hunk: copy up to each change, drop '-' lines, emit '+' lines; context stays the file's
    let pos = placed.where - 1; // 0-based input line of the pattern's first line
    for (let k = copied; k < pos; k++) out.push(input[k]!);
    copied = Math.max(copied, pos);
    const at = out.length + 1;
    const from = pos + 1;
    let lastFrozen = copied;
    h.lines.forEach((l, k) => {
      const op = l[0] ?? ' ';
      if (op === '\\') {
        // after a line of the new side: the result ends without a newline
        noNewlineAtEnd = h.lines[k - 1]?.[0] !== '-';
        return;
      }
      if (op === '-') {
        for (let k = copied; k < pos; k++) out.push(input[k]!);
        pos++;
        copied = pos;
        lastFrozen = pos;
      } else if (op === '+') {
        for (let k = copied; k < pos; k++) out.push(input[k]!);
        copied = Math.max(copied, pos);
        lastFrozen = copied;
        out.push(l.slice(1));
      } else pos++;
    });
    changed.push({ hunk: i + 1, from, to: Math.max(from, lastFrozen) });
    outcomes.push({ hunk: i + 1, header, applied: true, at, offset: at - h.newStart, fuzz: placed.fuzz });
  });
  for (let k = copied; k < input.length; k++) out.push(input[k]!);
  const newline = noNewlineAtEnd === null ? endsWithNewline || input.length === 0 : !noNewlineAtEnd;
  return { text: out.length ? `${out.join('\n')}${newline ? '\n' : ''}` : '', hunks: outcomes };
}

/**
 * A patch mailed with CRLF line ends for a file with LF ones (or the other
 * way round): its lines given the file's ends, as jsdiff and git am do.
 */
function sameLineEnds(text: string, fp: FilePatch): FilePatch {
  const lines = fp.hunks.flatMap((h) => h.lines.filter((l, i) => l[0] !== '\\' && h.lines[i + 1]?.[0] !== '\\'));
  const fileWin = text.includes('\r\n') && !/(^|[^\r])\n/.test(text);
  const fileUnix = !text.includes('\r\n');
  const patchWin = lines.length > 0 && lines.every((l) => l.endsWith('\r'));
  const patchUnix = !fp.hunks.some((h) => h.lines.some((l) => l.endsWith('\r')));
  const map = (f: (l: string, next: string | undefined) => string): FilePatch => ({ ...fp, hunks: fp.hunks.map((h) => ({ ...h, lines: h.lines.map((l, i) => (l[0] === '\\' ? l : f(l, h.lines[i + 1]))) })) });
  if (fileUnix && patchWin) return map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (fileWin && patchUnix && text !== '') return map((l, next) => (next?.[0] === '\\' ? l : `${l}\r`));
  return fp;
}

/**
 * The hunk's first line in the old file. An empty old side (`@@ -N,0`) goes
 * after line N: jsdiff's parsePatch has made oldStart N + 1 already.
 */
function first(h: Hunk): number {
  return h.oldStart;
}

/** locate_hunk: where the pattern's first line goes (1-based) and the fuzz it took, or null. */
function locate(input: readonly string[], h: Hunk, pattern: readonly string[], frozen: number, inOffset: number, maxFuzz: number): { where: number; fuzz: number } | null {
  // context before the first change and after the last one
  const ops = h.lines.filter((l) => l[0] !== '\\');
  let prefix = 0;
  while (prefix < ops.length && (ops[prefix]![0] ?? ' ') === ' ') prefix++;
  let suffix = 0;
  while (suffix < ops.length - prefix && (ops[ops.length - 1 - suffix]![0] ?? ' ') === ' ') suffix++;
  const context = Math.max(prefix, suffix);
  const guess = first(h) + inOffset;
  const lines = input.length;
  const match = (where: number, pf: number, sf: number): boolean => {
    for (let p = pf; p < pattern.length - sf; p++) if (input[where - 1 + p] !== pattern[p]) return false;
    return true;
  };
  for (let fuzz = 0; fuzz <= Math.min(maxFuzz, context); fuzz++) {
    if (!pattern.length) return { where: guess, fuzz: 0 };
    let pf = fuzz + prefix - context;
    const sf = fuzz + suffix - context;
    const maxWhere = lines - (pattern.length - sf) + 1;
    const minWhere = frozen + 1 - (prefix - pf);
    const maxPos = maxWhere - guess;
    let maxNeg = guess - minWhere;
    if (guess <= maxNeg) maxNeg = guess - 1;
    if (pf < 0 && first(h) <= 1) {
      // only the start of the file
      if (sf < 0 && (pattern.length !== lines || prefix < frozen)) continue;
      const offset = 1 - guess;
      if (frozen <= prefix && offset <= maxPos && match(guess + offset, 0, Math.max(0, sf))) return { where: guess + offset, fuzz };
      continue;
    }
    if (pf < 0) pf = 0;
    if (sf < 0) {
      // only the end of the file
      const offset = guess - (lines - pattern.length + 1);
      if (offset <= maxNeg && match(guess - offset, pf, 0)) return { where: guess - offset, fuzz };
      continue;
    }
    // nearest first; the offsets that put the pattern outside the file are
    // skipped, not tried one by one (a header naming line 999999999 of a
    // 100-line file is searched for in the file's lines only)
    const negFrom = Math.max(1, guess - maxWhere);
    for (let offset = 0; offset <= Math.max(maxPos, maxNeg); offset++) {
      if (offset > maxPos && offset < negFrom) offset = negFrom;
      if (offset <= maxPos && match(guess + offset, pf, sf)) return { where: guess + offset, fuzz };
      if (offset > 0 && offset <= maxNeg && match(guess - offset, pf, sf)) return { where: guess - offset, fuzz };
    }
  }
  return null;
}

/** The whole file patch or nothing: the first hunk that does not apply named. */
export function applyFilePatch(text: string, fp: FilePatch): ApplyResult {
  const r = applyHunks(text, fp);
  const bad = r.hunks.find((h) => !h.applied);
  return bad ? { ok: false, hunk: bad.hunk, header: bad.header } : { ok: true, text: r.text };
}

/** The file patch with only the hunks that applied (their headers unchanged). */
export function appliedPart(fp: FilePatch, outcomes: readonly HunkOutcome[]): FilePatch {
  const keep = fp.hunks.map((_, i) => outcomes[i]?.applied !== false);
  return {
    ...fp,
    hunks: fp.hunks.filter((_, i) => keep[i]),
    sections: fp.sections.filter((_, i) => keep[i]),
    ...(fp.inputLines ? { inputLines: fp.inputLines.filter((_, i) => keep[i]) } : {}),
  };
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
