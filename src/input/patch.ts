// Patches as they arrive: a plain unified diff, a `git format-patch` mail, or
// an mbox holding a series (cover letter, patches, replies). An mbox is split
// as git mailsplit splits it (mbox.ts), mail is decoded by postal-mime (MIME,
// quoted-printable, base64, encoded headers), diffs are parsed by jsdiff.
import { parsePatch, type StructuredPatch } from 'diff';
import PostalMime from 'postal-mime';
import { MAX_FILE_BYTES } from './files.js';
import { looksLikeMbox, splitMbox } from './mbox.js';
import { MnlintError } from './read.js';
import { hasLabels, parseSubject, queueOf, subjectPrefix, type SubjectLabels } from './subject.js';

export interface FilePatch {
  /** path in the tree, without a/ b/ prefixes; null for /dev/null */
  oldPath: string | null;
  newPath: string | null;
  hunks: StructuredPatch['hunks'];
  /** per hunk, the text after its closing `@@` (git's function context), or '' */
  sections: string[];
  /** per hunk, the 1-based line of its `@@` header in the input file (checkpatch's `#N:`) */
  inputLines?: number[];
}

export interface Trailer {
  key: string;
  value: string;
}

export interface Patch {
  /** the input it came from */
  source: string;
  /** [PATCH vN M/T]: 1 when absent */
  version: number;
  /** what else the subject's groups say: RFC, RESEND, the stable release, tree tags */
  labels?: SubjectLabels;
  index: number;
  total: number;
  subject: string;
  from: string | null;
  messageId: string | null;
  date: string | null;
  /** the commit message, above the `---` line */
  message: string;
  /** what the author wrote between `---` and the diff (changelog, notes; diffstat included) */
  notes: string;
  /** addresses the mail went to (lower-cased) */
  to: string[];
  cc: string[];
  /** the thread above the mail: its References (else In-Reply-To), oldest first */
  references?: string[];
  trailers: Trailer[];
  files: FilePatch[];
  /** the diff as the mail carries it (with git's mode and `index` lines, which the parsed files drop): for patch-ids and blob ids */
  diff?: string;
}

export interface Series {
  /** lines in the input file (checkpatch's "lines checked") */
  inputLineCount?: number;
  /** the input file, or the files of a series given as several, space-separated */
  source: string;
  version: number;
  /** the labels the series' subjects share: RFC, the stable release, tree tags */
  labels?: SubjectLabels;
  cover: Patch | null;
  patches: Patch[];
  /** messages dropped: replies, and patches of older versions in the same mbox */
  dropped: string[];
  /** the replies, kept for the checklist (review comments on a previous version) */
  replies: ReplyMail[];
  /** messages of the input that could not be read, each named with its subject (the others are reviewed) */
  problems?: string[];
}

/** A reply in an mbox (a review comment), as the checklist reads it. */
export interface ReplyMail {
  from: string | null;
  subject: string;
  inReplyTo: string | null;
  text: string;
}

export class PatchInputError extends MnlintError {}

/** `[PATCH v2 3/4]` -> version 2, 3 of 4; null for a subject without a PATCH group (the full grammar: subject.ts). */
export function parseSubjectTag(subject: string): { version: number; index: number; total: number; rest: string } | null {
  const p = parseSubject(subject);
  if (!p.patch) return null;
  return { version: p.version, index: p.index, total: p.total, rest: p.rest };
}

const TRAILER = /^([A-Z][A-Za-z-]*-(?:by|to)|Fixes|Link|Closes|Cc|Assisted-by):\s*(.+)$/;

/** Splits a patch mail body: message, trailers, and the diff. */
export function splitBody(body: string): { message: string; notes: string; trailers: Trailer[]; diff: string } {
  const text = body.replace(/\r\n/g, '\n');
  // the signature of format-patch (`-- \n2.43.0`) is not part of the diff
  const sig = text.search(/^-- $/m);
  const withoutSig = sig >= 0 ? text.slice(0, sig) : text;
  const diffAt = withoutSig.search(/^(diff --git |--- (a\/|\/dev\/null))/m);
  const head = diffAt >= 0 ? withoutSig.slice(0, diffAt) : withoutSig;
  const diff = diffAt >= 0 ? withoutSig.slice(diffAt) : '';
  const sep = head.search(/^---$/m);
  const message = (sep >= 0 ? head.slice(0, sep) : head).trimEnd();
  const notes = sep >= 0 ? head.slice(sep + 4).trim() : '';
  const trailers = message
    .split('\n')
    .map((l) => TRAILER.exec(l.trim()))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ key: m[1]!, value: m[2]!.trim() }));
  return { message, notes, trailers, diff };
}

function stripPrefix(path: string | undefined): string | null {
  if (!path || path === '/dev/null') return null;
  return path.replace(/^[ab]\//, '').replace(/\t.*$/, '');
}

/** The file patches of a unified diff (plain or git). */
export function parseDiff(diff: string, source: string): FilePatch[] {
  if (!diff.trim()) return [];
  let parsed: StructuredPatch[];
  let text = diff;
  try {
    parsed = parsePatch(text);
  } catch (e) {
    // what follows the last hunk in a mail body: the `-- ` signature, b4's base-commit: lines
    const cut = tailStart(text);
    if (cut === null) throw new PatchInputError(`${source}: not a unified diff (${(e as Error).message})`);
    text = text.slice(0, cut);
    try {
      parsed = parsePatch(text);
    } catch (again) {
      throw new PatchInputError(`${source}: not a unified diff (${(again as Error).message})`);
    }
  }
  // jsdiff drops the text after `@@ ... @@`; its hunks come in the order of
  // the header lines, so that text is picked up from them in turn
  const sections = [...text.matchAll(/^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@ ?(.*)$/gm)].map((m) => m[1]!.replace(/\r$/, ''));
  let next = 0;
  // each hunk's header as written (jsdiff reads a number past 2^53 as another one)
  const raw = text.split('\n').filter((l) => /^@@\s/.test(l));
  let at = 0;
  const files = parsed
    .map((p) => {
      const first = at;
      at += p.hunks.length;
      return {
        oldPath: stripPrefix(p.oldFileName),
        newPath: stripPrefix(p.newFileName),
        hunks: p.hunks,
        sections: p.hunks.map(() => sections[next++] ?? ''),
        named: p.oldFileName !== undefined || p.newFileName !== undefined,
        raw: p,
        headers: raw.slice(first, at),
      };
    })
    .filter((p) => p.hunks.length);
  if (files.some((f) => !f.named)) throw new PatchInputError(`${source}: a hunk without file headers (--- a/FILE and +++ b/FILE lines before its @@)`);
  for (const f of files) checkFilePatch(f, f.raw, f.headers, source);
  return files.map(({ named: _named, raw: _raw, headers: _headers, ...f }) => f);
}

/**
 * The last line a hunk may name: no file mnlint reads has more lines than its
 * size cap has bytes, so a header beyond it is damaged, not a place to look.
 */
export const MAX_HUNK_LINE = MAX_FILE_BYTES;

/**
 * What jsdiff leaves unchecked, refused with the hunk or the header named: a
 * hunk position that is no line number (0, past 2^53, past any file mnlint
 * reads), a `---`/`+++` line naming no file, a side given as /dev/null that
 * the hunks say has lines.
 */
function checkFilePatch(fp: FilePatch, p: StructuredPatch, headers: readonly string[], source: string): void {
  const name = fp.newPath ?? fp.oldPath ?? '/dev/null';
  if (p.oldFileName !== undefined && p.oldFileName.trim() === '') throw new PatchInputError(`${source}: a --- line naming no file (before the hunks of ${name})`);
  if (p.newFileName !== undefined && p.newFileName.trim() === '') throw new PatchInputError(`${source}: a +++ line naming no file (after --- ${p.oldFileName})`);
  fp.hunks.forEach((h, i) => {
    const header = (headers[i] ?? `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`).replace(/\r$/, '');
    const shown = header.length > 80 ? `${header.slice(0, 77)}...` : header;
    const what = `hunk ${i + 1} (${shown}) of ${name}`;
    for (const [side, start, count] of [
      ['old', h.oldStart, h.oldLines],
      ['new', h.newStart, h.newLines],
    ] as const) {
      // a number past 2^53 is read as another one: past the limit, it is not printed
      if (start + count - 1 > MAX_HUNK_LINE) throw new PatchInputError(`${source}: ${what}: its ${side} side ends beyond any file mnlint reads (at most ${MAX_HUNK_LINE} lines)`);
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(count) || start < 1 || count < 0) throw new PatchInputError(`${source}: ${what}: not a hunk header (@@ -START,COUNT +START,COUNT @@)`);
    }
    if (fp.newPath === null && h.newLines > 0) throw new PatchInputError(`${source}: ${what}: +++ ${p.newFileName} (no new file) but the hunk has ${h.newLines} new lines`);
    if (fp.oldPath === null && h.oldLines > 0) throw new PatchInputError(`${source}: ${what}: --- ${p.oldFileName} (no old file) but the hunk has ${h.oldLines} old lines`);
  });
}

/**
 * Where a trailing signature (`-- `) or b4's `base-commit:` block starts after
 * the last hunk, if any. An archive that strips trailing blanks leaves the
 * signature as `--`, which reads as a removed line: it counts as the signature
 * when git's version line (`2.26.2`) or the end follows it.
 */
function tailStart(text: string): number | null {
  const lastHunk = text.lastIndexOf('\n@@ ');
  const m = /^(?:-- $|--\n(?=\d+(?:\.\w+)+\s*$|\s*$)|base-commit: )/m.exec(text.slice(lastHunk < 0 ? 0 : lastHunk + 1));
  return m ? (lastHunk < 0 ? 0 : lastHunk + 1) + m.index : null;
}

/** The addresses of a To/Cc header, groups flattened, lower-cased. */
function addresses(list: Array<{ address?: string; group?: Array<{ address?: string }> }> | undefined): string[] {
  return (list ?? [])
    .flatMap((a) => (a.group ? a.group.map((g) => g.address ?? '') : [a.address ?? '']))
    .filter(Boolean)
    .map((a) => a.toLowerCase());
}

async function parseMail(
  raw: Buffer | string,
  source: string,
): Promise<{ subject: string; from: string | null; to: string[]; cc: string[]; messageId: string | null; inReplyTo: string | null; references: string[]; date: string | null; text: string }> {
  let email: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    email = await PostalMime.parse(raw);
  } catch (e) {
    throw new PatchInputError(`${source}: cannot decode the mail (${(e as Error).message})`);
  }
  const from = email.from ? `${email.from.name ? `${email.from.name} ` : ''}<${email.from.address ?? ''}>`.trim() : null;
  return {
    subject: (email.subject ?? '').replace(/\s+/g, ' ').trim(),
    from,
    to: addresses(email.to),
    cc: addresses(email.cc),
    messageId: email.messageId ?? null,
    inReplyTo: email.inReplyTo ?? null,
    references: (email.references ?? '').match(/<[^>]+>/g) ?? (email.inReplyTo ? [email.inReplyTo] : []),
    date: email.date ?? null,
    text: email.text ?? '',
  };
}

/** The headers that place a mail in its thread: subject, Message-ID, and References (else In-Reply-To). */
export async function threadHeaders(raw: Buffer, source: string): Promise<{ subject: string; messageId: string | null; thread: string[] }> {
  let email: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    email = await PostalMime.parse(raw);
  } catch (e) {
    throw new PatchInputError(`${source}: cannot decode the mail (${(e as Error).message})`);
  }
  const ids = (v: string | undefined): string[] => (v ?? '').match(/<[^>]+>/g) ?? [];
  const refs = ids(email.references);
  return { subject: (email.subject ?? '').replace(/\s+/g, ' ').trim(), messageId: email.messageId ?? null, thread: refs.length ? refs : ids(email.inReplyTo) };
}

function looksLikeMail(text: string): boolean {
  return /^(From|Subject|Date|Message-I[dD]|Return-Path|Received|MIME-Version):/m.test(text.slice(0, 4096).split(/\r?\n\r?\n/)[0] ?? '');
}

/** One input file given to mnlint: its name and bytes. */
export interface PatchInputFile {
  source: string;
  bytes: Buffer;
}

/** A patch or cover letter of an input file, with where it came from. */
interface Post {
  patch: Patch;
  cover: boolean;
  /** the input file (its place in the list) and the mail's place in it */
  file: number;
  order: number;
}

/** What one input file holds, before its postings are gathered into series. */
interface FileRead {
  source: string;
  lineCount: number;
  posts: Post[];
  replies: Array<{ mail: ReplyMail; dropped: string; thread: string[] }>;
  /** messages without a diff, as `dropped` names them */
  nodiff: string[];
  problems: string[];
  /** a plain diff (no mail): a series of its own */
  plain: Patch | null;
}

/** Reads one input file's mails (or its plain diff); a file that cannot be read at all throws. */
async function readFile(source: string, bytes: Buffer, file: number): Promise<FileRead> {
  const head = bytes.subarray(0, 4096).toString('utf8');
  const text = bytes.toString('utf8');
  const read: FileRead = { source, lineCount: text.length ? text.split('\n').length - (text.endsWith('\n') ? 1 : 0) : 0, posts: [], replies: [], nodiff: [], problems: [], plain: null };
  const mbox = looksLikeMbox(text);
  if (mbox) {
    const parts = splitMbox(bytes);
    if (!parts.some((p) => p.kind === 'mail')) throw new PatchInputError(`${source}: an mbox with no readable message${parts[0]?.kind === 'damaged' ? ` (${parts[0].why})` : ''}`);
    // each message on its own: a broken one is named, the others are reviewed
    for (const part of parts) {
      // named on one line of stderr: control bytes shown as ?
      const subject =
        /^Subject: ?(.*)$/im
          .exec(part.raw.subarray(0, 8192).toString('utf8'))?.[1]
          ?.replace(/\p{Cc}/gu, '?')
          .trim() || `the message at line ${part.line}`;
      if (part.kind === 'damaged') {
        read.problems.push(`${source}: "${subject}": ${part.why}; the message is not read`);
        continue;
      }
      try {
        const before = read.posts.length;
        await addMail(read, part.raw, file);
        // each message's hunks numbered in its own lines: a message not read shifts none
        numberHunks(
          read.posts.slice(before).flatMap((p) => (p.cover ? [] : [p.patch])),
          part.raw.toString('utf8'),
          part.line - 1,
        );
      } catch (e) {
        if (!(e instanceof PatchInputError)) throw e;
        read.problems.push(e.message.replace(`${source}: `, `${source}: "${subject}": `));
      }
    }
  } else if (looksLikeMail(head)) {
    await addMail(read, bytes, file);
  } else {
    const files = parseDiff(text, source);
    if (!files.length) {
      const binary = /^GIT binary patch$|^Binary files .* differ$/m.test(text);
      throw new PatchInputError(`${source}: ${binary ? 'a binary diff only, nothing mnlint can review' : 'no unified diff in it'}`);
    }
    read.plain = { source, version: 1, index: 1, total: 1, subject: source, from: null, messageId: null, date: null, message: '', notes: '', to: [], cc: [], trailers: [], files, diff: text };
  }
  if (!mbox) numberHunks([...(read.plain ? [read.plain] : []), ...read.posts.filter((p) => !p.cover).map((p) => p.patch)], text);
  return read;
}

async function addMail(read: FileRead, raw: Buffer | string, file: number): Promise<void> {
  const source = read.source;
  const mail = await parseMail(raw, source);
  const subject = parseSubject(mail.subject);
  if (subject.reply) {
    read.replies.push({ mail: { from: mail.from, subject: mail.subject, inReplyTo: mail.inReplyTo, text: mail.text }, dropped: `${mail.subject} (reply)`, thread: mail.references });
    return;
  }
  const { message, notes, trailers, diff } = splitBody(mail.text);
  const files = parseDiff(diff, source);
  const patch: Patch = {
    source,
    version: subject.version,
    ...(hasLabels(subject.labels) ? { labels: subject.labels } : {}),
    index: subject.index,
    total: subject.total,
    subject: subject.rest || mail.subject,
    from: mail.from,
    messageId: mail.messageId,
    date: mail.date,
    message,
    notes,
    to: mail.to,
    cc: mail.cc,
    references: mail.references,
    trailers,
    files,
    diff,
  };
  const cover = subject.counted && subject.index === 0;
  if (!cover && !files.length) {
    read.nodiff.push(`${mail.subject} (no diff)`);
    return;
  }
  read.posts.push({ patch, cover, file, order: read.posts.length });
}

/** The address of a From line, lower-cased, or null. */
function addressOf(from: string | null): string | null {
  return from ? (/<([^>]*)>/.exec(from)?.[1] ?? from).toLowerCase() : null;
}

/** The series' name as its subjects give it (the cover's, else the first patch's). */
function titleOf(s: Series): string {
  return s.cover?.subject ?? s.patches[0]?.subject ?? s.source;
}

/**
 * Several input files as one input: their patches gathered into series, each
 * ordered by its `[PATCH vN M/T]` numbers (cover letter first), as b4 and the
 * lists read them. Postings of one series are those with the same version, the
 * same T and the same stable queue, in one thread (References) or unthreaded
 * from one sender without two of the same number; different versions, T,
 * queues or threads stay different series. In one mbox an older version of a
 * series (same thread or subject) is dropped for the newest; a stable-queue or
 * AUTOSEL posting is never a version of a mainline series. A plain diff is a
 * series of its own. Files that hold no patch are named in `errors`.
 */
export async function readPatchInputs(inputs: readonly PatchInputFile[]): Promise<{ series: Series[]; errors: string[] }> {
  const errors: string[] = [];
  const reads: Array<FileRead | null> = [];
  for (const [i, input] of inputs.entries()) {
    try {
      reads.push(await readFile(input.source, input.bytes, i));
    } catch (e) {
      if (!(e instanceof PatchInputError)) throw e;
      errors.push(e.message);
      reads.push(null);
    }
  }
  const files = reads.filter((r): r is FileRead => !!r);
  // the same message twice (a copy from each list it went to) is read once
  const seen = new Set<string>();
  const duplicates: Post[] = [];
  const posts: Post[] = [];
  for (const p of files.flatMap((r) => r.posts)) {
    const id = p.patch.messageId;
    if (id && seen.has(id)) duplicates.push(p);
    else {
      if (id) seen.add(id);
      posts.push(p);
    }
  }
  const groups = gatherPosts(posts);
  type Built = { series: Series; files: Set<number>; first: number; ids: Set<string>; stems: Set<string> };
  const built: Built[] = groups.map((g) => {
    const sorted = [...g].sort((a, b) => a.patch.index - b.patch.index || a.file - b.file || a.order - b.order);
    const cover = sorted.find((p) => p.cover)?.patch ?? null;
    const patches = sorted.filter((p) => !p.cover).map((p) => p.patch);
    const fileSet = new Set(g.map((p) => p.file));
    const sources = [...fileSet].sort((a, b) => a - b).map((f) => inputs[f]!.source);
    const lead = cover ?? patches[0]!;
    const series: Series = {
      source: sources.join(' '),
      version: lead.version,
      ...(lead.labels ? { labels: lead.labels } : {}),
      cover,
      patches,
      dropped: [],
      replies: [],
    };
    const ids = new Set(g.flatMap((p) => [...(p.patch.references ?? []), ...(p.patch.messageId ? [p.patch.messageId] : [])]));
    const stems = new Set(g.map((p) => p.patch.subject.toLowerCase()));
    return { series, files: fileSet, first: Math.min(...g.map((p) => p.file * 1e6 + p.order)), ids, stems };
  });
  // in one mbox, an older version of a mainline series gives way to the newest
  const mainline = (b: Built): boolean => queueOf(b.series.labels) === 'mainline';
  const older = new Set<Built>();
  for (const b of built) {
    if (!mainline(b)) continue;
    const newer = built.find(
      (n) => n !== b && mainline(n) && n.series.version > b.series.version && [...b.files].every((f) => n.files.has(f)) && ([...b.ids].some((id) => n.ids.has(id)) || [...b.stems].some((st) => n.stems.has(st))),
    );
    if (!newer) continue;
    older.add(b);
    const all = [...(b.series.cover ? [b.series.cover] : []), ...b.series.patches];
    newer.series.dropped.push(...all.map((p) => `[v${p.version} ${p.index}/${p.total}] ${p.subject} (older version)`));
  }
  const kept = built.filter((b) => !older.has(b)).sort((a, b) => a.first - b.first);
  const withPatches = kept.filter((b) => b.series.patches.length);
  // checkpatch's "lines checked": a file's lines counted once, with the first series it holds
  const counted = new Set<number>();
  for (const b of withPatches) {
    b.series.inputLineCount = [...b.files].filter((f) => !counted.has(f)).reduce((n, f) => n + (reads[f]?.lineCount ?? 0), 0);
    for (const f of b.files) counted.add(f);
  }
  for (const d of duplicates) {
    const host = withPatches.find((h) => h.ids.has(d.patch.messageId!));
    if (!host) continue;
    host.series.dropped.push(`${patchLabel(d.patch)} (the same message again)`);
    host.files.add(d.file);
  }
  // a cover letter whose patches are not given
  for (const b of kept.filter((x) => !x.series.patches.length)) {
    const host = withPatches.find((h) => [...b.files].some((f) => h.files.has(f)));
    if (host) host.series.dropped.push(`${b.series.cover!.subject} (a cover letter without its patches)`);
  }
  // replies go to the series they answer, else to the series of their file
  for (const [f, r] of reads.entries()) {
    if (!r) continue;
    const home = withPatches.find((h) => h.files.has(f));
    for (const reply of r.replies) {
      const host = withPatches.find((h) => reply.thread.some((id) => h.ids.has(id))) ?? home;
      host?.series.dropped.push(reply.dropped);
      host?.series.replies.push(reply.mail);
    }
    if (home) {
      home.series.dropped.push(...r.nodiff);
      if (r.problems.length) home.series.problems = [...(home.series.problems ?? []), ...r.problems];
      continue;
    }
    if (r.plain) continue;
    // nothing of this file is reviewed: say what it held
    if (r.problems.length && !r.posts.length) {
      errors.push(r.problems.join('; '));
      continue;
    }
    const unanswered = r.replies.filter((x) => !withPatches.some((h) => x.thread.some((id) => h.ids.has(id)))).length;
    // only answers to a series given beside it
    if (!r.posts.length && !r.nodiff.length && r.replies.length && !unanswered) continue;
    const covers = r.posts.filter((p) => p.cover).length;
    const parts = [
      ...(covers ? ['a cover letter'] : []),
      ...(unanswered ? [`${unanswered} repl${unanswered === 1 ? 'y' : 'ies'}`] : []),
      ...(r.nodiff.length ? [`${r.nodiff.length} message${r.nodiff.length === 1 ? '' : 's'} without a diff`] : []),
    ];
    errors.push(`${r.source}: no patch in it${parts.length ? ` (only ${parts.join(', ')})` : ''}`);
  }
  const plain = files.filter((r) => r.plain).map((r) => ({ first: reads.indexOf(r) * 1e6, series: plainSeries(r) }));
  const series = [...withPatches, ...plain].sort((a, b) => a.first - b.first).map((b) => b.series);
  return { series, errors };
}

function plainSeries(r: FileRead): Series {
  return { source: r.source, version: 1, cover: null, patches: [r.plain!], dropped: [], replies: [], inputLineCount: r.lineCount, ...(r.problems.length ? { problems: r.problems } : {}) };
}

/** The postings grouped into series: same queue, version and T; one thread, or unthreaded from one sender without a number twice. */
function gatherPosts(posts: readonly Post[]): Post[][] {
  const byKey = new Map<string, Post[]>();
  for (const p of posts) {
    const key = `${queueOf(p.patch.labels)}|${p.patch.version}|${p.patch.total}`;
    byKey.set(key, [...(byKey.get(key) ?? []), p]);
  }
  const out: Post[][] = [];
  for (const bucket of byKey.values()) {
    // threads: a posting joins the one it references, or one with the same thread root
    const parent = bucket.map((_, i) => i);
    const find = (i: number): number => {
      let r = i;
      while (parent[r] !== r) r = parent[r]!;
      return r;
    };
    const byId = new Map<string, number>();
    for (const [i, p] of bucket.entries()) if (p.patch.messageId) byId.set(p.patch.messageId, i);
    const byRoot = new Map<string, number>();
    const referenced = new Set<number>();
    for (const [i, p] of bucket.entries()) {
      const refs = p.patch.references ?? [];
      for (const id of refs) {
        const j = byId.get(id);
        if (j !== undefined) {
          parent[find(i)] = find(j);
          referenced.add(j);
        }
      }
      const root = refs[0];
      if (root === undefined) continue;
      const j = byRoot.get(root);
      if (j === undefined) byRoot.set(root, i);
      else parent[find(i)] = find(j);
    }
    const components = new Map<number, number[]>();
    for (const i of bucket.keys()) components.set(find(i), [...(components.get(find(i)) ?? []), i]);
    // unthreaded postings (git format-patch without --thread, b4's files) join a series of their sender without taking a number twice
    type Group = { members: Post[]; threaded: boolean; from: string | null; numbers: Set<number> };
    const groups: Group[] = [];
    for (const members of components.values()) {
      const ps = members.map((i) => bucket[i]!);
      const threaded = members.some((i) => referenced.has(i) || (bucket[i]!.patch.references ?? []).length > 0);
      const from = ps.map((p) => addressOf(p.patch.from)).find((a) => a !== null) ?? null;
      const numbers = new Set(ps.map((p) => p.patch.index));
      const into = groups.find((g) => !(g.threaded && threaded) && (g.from === null || from === null || g.from === from) && ![...numbers].some((n) => g.numbers.has(n)) && numbers.size === ps.length);
      if (into) {
        into.members.push(...ps);
        into.threaded ||= threaded;
        into.from ??= from;
        for (const n of numbers) into.numbers.add(n);
      } else groups.push({ members: ps, threaded, from, numbers });
    }
    out.push(...groups.map((g) => g.members));
  }
  return out;
}

/** Reads one input: a diff, a mail, or an mbox, into a series (a lone diff is a series of one). */
export async function readPatchInput(source: string, bytes: Buffer): Promise<Series> {
  const { series, errors } = await readPatchInputs([{ source, bytes }]);
  if (!series.length) throw new PatchInputError(errors.join('; ') || `${source}: no patch in it`);
  // read alone (a thread, a range), the input is one series: the first, the others named
  const [main, ...others] = series;
  for (const o of others) main!.dropped.push(`${seriesLabel(o)} (another series in the same input: review it with mnlint patch)`);
  return main!;
}

/** The series as a maintainer names it: `[PATCH AUTOSEL 5.15 0/41] title`. */
export function seriesLabel(s: Series): string {
  const lead = s.cover ?? s.patches[0];
  if (!lead) return s.source;
  const total = lead.total;
  return total > 1 || lead.version > 1 || hasLabels(lead.labels) ? `[${subjectPrefix({ version: lead.version, index: s.cover ? 0 : total > 1 ? lead.index : 1, total, labels: lead.labels })}] ${titleOf(s)}` : titleOf(s);
}

/** The label a maintainer would use: `[PATCH v2 3/4] subject`, `[PATCH 6.1 23/150] subject`. */
export function patchLabel(p: Patch): string {
  return p.total > 1 || p.version > 1 || hasLabels(p.labels) ? `[${subjectPrefix(p)}] ${p.subject}` : p.subject;
}

/**
 * Each hunk's header line in the input, as checkpatch numbers lines: the
 * headers at line starts, in input order, given to the hunks in turn (quoted
 * ones in replies start with `>` and are skipped); `firstLine` lines of the
 * input come before `text` (an mbox message is numbered on its own).
 */
function numberHunks(patches: readonly Patch[], text: string, firstLine = 0): void {
  const headers: number[] = [];
  let line = 1 + firstLine;
  let counted = 0;
  for (const m of text.matchAll(/^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@/gm)) {
    for (let i = text.indexOf('\n', counted); i >= 0 && i < m.index; i = text.indexOf('\n', i + 1)) {
      line++;
      counted = i + 1;
    }
    headers.push(line);
  }
  let next = 0;
  for (const p of patches) for (const fp of p.files) fp.inputLines = fp.hunks.map(() => headers[next++] ?? 0);
}

/** The input line (checkpatch's `#N`) of a post-image line the patch shows, or null outside its hunks. */
export function inputLineOf(fp: FilePatch, line: number): number | null {
  for (const [k, h] of fp.hunks.entries()) {
    const start = fp.inputLines?.[k];
    if (!start) continue;
    let n = h.newStart;
    for (const [i, l] of h.lines.entries()) {
      if (l.startsWith('-') || l.startsWith('\\')) continue;
      if (n === line) return start + 1 + i;
      n++;
    }
    // a deletion at the hunk's end leaves its anchor one past the last line
    if (line === n && h.lines.length) return start + h.lines.length;
  }
  return null;
}
