// Patches as they arrive: a plain unified diff, a `git format-patch` mail, or
// an mbox holding a series (cover letter, patches, replies). Mail is decoded by
// postal-mime (MIME, quoted-printable, base64, encoded headers) and split by
// mbox-reader; diffs are parsed by jsdiff.
import { Readable } from 'node:stream';
import { parsePatch, type StructuredPatch } from 'diff';
import { mboxReader } from 'mbox-reader';
import PostalMime from 'postal-mime';

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
  source: string;
  version: number;
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

export class PatchInputError extends Error {}

const SUBJECT_TAG = /^\s*\[([^\]]*PATCH[^\]]*)\]\s*/i;

/** `[PATCH v2 3/4]` -> version 2, 3 of 4. */
export function parseSubjectTag(subject: string): { version: number; index: number; total: number; rest: string } | null {
  const m = SUBJECT_TAG.exec(subject);
  if (!m) return null;
  const tag = m[1]!;
  const version = Number(/\bv(\d+)\b/i.exec(tag)?.[1] ?? 1);
  const nm = /\b(\d+)\/(\d+)\b/.exec(tag);
  return { version, index: nm ? Number(nm[1]) : 1, total: nm ? Number(nm[2]) : 1, rest: subject.slice(m[0].length).trim() };
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
  const files = parsed
    .map((p) => ({
      oldPath: stripPrefix(p.oldFileName),
      newPath: stripPrefix(p.newFileName),
      hunks: p.hunks,
      sections: p.hunks.map(() => sections[next++] ?? ''),
      named: p.oldFileName !== undefined || p.newFileName !== undefined,
    }))
    .filter((p) => p.hunks.length);
  if (files.some((f) => !f.named)) throw new PatchInputError(`${source}: a hunk without file headers (--- a/FILE and +++ b/FILE lines before its @@)`);
  return files.map(({ named: _named, ...f }) => f);
}

/** Where a trailing signature (`-- `) or b4's `base-commit:` block starts after the last hunk, if any. */
function tailStart(text: string): number | null {
  const lastHunk = text.lastIndexOf('\n@@ ');
  const m = /^(?:-- $|base-commit: )/m.exec(text.slice(lastHunk < 0 ? 0 : lastHunk + 1));
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

/** Reads one input: a diff, a mail, or an mbox, into a series (a lone diff is a series of one). */
export async function readPatchInput(source: string, bytes: Buffer): Promise<Series> {
  const head = bytes.subarray(0, 4096).toString('utf8');
  const series: Series = { source, version: 1, cover: null, patches: [], dropped: [], replies: [] };
  if (/^From \S+/.test(head)) {
    const mails: Buffer[] = [];
    try {
      for await (const m of mboxReader(Readable.from([bytes]))) mails.push(m.content);
    } catch (e) {
      throw new PatchInputError(`${source}: not a readable mbox (${(e as Error).message})`);
    }
    if (!mails.length) throw new PatchInputError(`${source}: an mbox with no message`);
    // each message on its own: a broken one is named, the others are reviewed
    for (const raw of mails) {
      try {
        await addMail(series, raw, source);
      } catch (e) {
        if (!(e instanceof PatchInputError)) throw e;
        const subject = /^Subject: (.*)$/m.exec(raw.subarray(0, 8192).toString('utf8'))?.[1]?.trim() ?? 'a message';
        series.problems = [...(series.problems ?? []), e.message.replace(`${source}: `, `${source}: "${subject}": `)];
      }
    }
  } else if (looksLikeMail(head)) {
    await addMail(series, bytes, source);
  } else {
    const text = bytes.toString('utf8');
    const files = parseDiff(text, source);
    if (!files.length) {
      const binary = /^GIT binary patch$|^Binary files .* differ$/m.test(text);
      throw new PatchInputError(`${source}: ${binary ? 'a binary diff only, nothing mnlint can review' : 'no unified diff in it'}`);
    }
    series.patches.push({ source, version: 1, index: 1, total: 1, subject: source, from: null, messageId: null, date: null, message: '', notes: '', to: [], cc: [], trailers: [], files, diff: text });
  }
  numberHunks(series, bytes.toString('utf8'));
  // keep the newest version; order by M of M/T
  const newest = Math.max(1, ...series.patches.map((p) => p.version), series.cover?.version ?? 1);
  for (const p of series.patches.filter((x) => x.version !== newest)) series.dropped.push(`[v${p.version} ${p.index}/${p.total}] ${p.subject} (older version)`);
  series.patches = series.patches.filter((p) => p.version === newest).sort((a, b) => a.index - b.index);
  series.version = newest;
  if (!series.patches.length && series.problems?.length) throw new PatchInputError(series.problems.join('; '));
  if (!series.patches.length) {
    const kinds = ['reply', 'no diff', 'older version'].map((k) => [k, series.dropped.filter((d) => d.endsWith(`(${k})`)).length] as const).filter(([, n]) => n);
    const parts = [
      ...(series.cover ? ['a cover letter'] : []),
      ...kinds.map(([k, n]) => (k === 'reply' ? `${n} repl${n === 1 ? 'y' : 'ies'}` : k === 'no diff' ? `${n} message${n === 1 ? '' : 's'} without a diff` : `${n} older version${n === 1 ? '' : 's'}`)),
    ];
    throw new PatchInputError(`${source}: no patch in it${parts.length ? ` (only ${parts.join(', ')})` : ''}`);
  }
  return series;
}

async function addMail(series: Series, raw: Buffer | string, source: string): Promise<void> {
  const mail = await parseMail(raw, source);
  const tag = parseSubjectTag(mail.subject.replace(/^(Re|Fwd|Aw):\s*/i, ''));
  if (/^(Re|Aw):/i.test(mail.subject)) {
    series.dropped.push(`${mail.subject} (reply)`);
    series.replies.push({ from: mail.from, subject: mail.subject, inReplyTo: mail.inReplyTo, text: mail.text });
    return;
  }
  const { message, notes, trailers, diff } = splitBody(mail.text);
  const files = parseDiff(diff, source);
  const patch: Patch = {
    source,
    version: tag?.version ?? 1,
    index: tag?.index ?? 1,
    total: tag?.total ?? 1,
    subject: tag?.rest ?? mail.subject,
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
  if (tag && tag.index === 0) {
    series.cover = patch;
    return;
  }
  if (!files.length) {
    series.dropped.push(`${mail.subject} (no diff)`);
    return;
  }
  series.patches.push(patch);
}

/** The label a maintainer would use: `[PATCH v2 3/4] subject`. */
export function patchLabel(p: Patch): string {
  const v = p.version > 1 ? `v${p.version} ` : '';
  return p.total > 1 || v ? `[PATCH ${v}${p.index}/${p.total}] ${p.subject}` : p.subject;
}

/**
 * Each hunk's header line in the input, as checkpatch numbers lines: the
 * headers at line starts, in input order, given to the hunks in turn (quoted
 * ones in replies start with `>` and are skipped).
 */
function numberHunks(series: Series, text: string): void {
  const headers: number[] = [];
  let line = 1;
  let counted = 0;
  for (const m of text.matchAll(/^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@/gm)) {
    for (let i = text.indexOf('\n', counted); i >= 0 && i < m.index; i = text.indexOf('\n', i + 1)) {
      line++;
      counted = i + 1;
    }
    headers.push(line);
  }
  let next = 0;
  for (const p of series.patches) for (const fp of p.files) fp.inputLines = fp.hunks.map(() => headers[next++] ?? 0);
  series.inputLineCount = text.length ? text.split('\n').length - (text.endsWith('\n') ? 1 : 0) : 0;
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
