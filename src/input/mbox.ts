// An mbox split into its messages as git mailsplit splits one: a message
// starts at a `From ` line that carries a date (git's is_from_line). Where
// git calls the whole mailbox corrupt (its first line is no such line), the
// damaged part is named and the messages after the next valid `From ` line are
// still read; a separator damaged between two messages is found by the mail
// headers that follow it, so the second message is named, not swallowed.

/** One message of an mbox: its bytes (the `From ` line left out) and the line of the file they start on, or a damaged stretch named. */
export type MboxPart = { kind: 'mail'; raw: Buffer; line: number } | { kind: 'damaged'; raw: Buffer; line: number; why: string };

/**
 * git mailsplit's is_from_line: `From ` then, before the end, a time whose
 * colon has digits around it (`hh:mm:ss`) followed by a year after 1990.
 */
export function isFromLine(line: string): boolean {
  if (line.length < 20 || !line.startsWith('From ')) return false;
  const colon = line.lastIndexOf(':', line.length - 2);
  if (colon < 5 + 4) return false;
  const d = (i: number): boolean => i >= 0 && i < line.length && line.charCodeAt(i) >= 48 && line.charCodeAt(i) <= 57;
  if (!d(colon - 4) || !d(colon - 2) || !d(colon - 1) || !d(colon + 1) || !d(colon + 2)) return false;
  const year = /^\d+/.exec(line.slice(colon + 3).trimStart());
  return year !== null && Number(year[0]) > 90;
}

/**
 * Is the file an mbox rather than a single mail or a diff? It starts with a
 * `From ` line (possibly damaged, mail headers after it), or a valid `From `
 * line followed by mail headers comes further down (what precedes it, a mail
 * whose separator was lost or any other text, is named as damaged).
 */
export function looksLikeMbox(text: string): boolean {
  const lines = text.replace(/^(?:[ \t\r]*\n)+/, '').split('\n');
  const first = (lines[0] ?? '').replace(/\r$/, '');
  if (/^From \S+/.test(first) || (nearFrom(first) && headerBlockAt(lines, 1))) return true;
  return lines.some((l, i) => i > 0 && isFromLine(l.replace(/\r$/, '')) && headerBlockAt(lines, i + 1));
}

const HEADER = /^[\x21-\x39\x3b-\x7e]+:/;

/** Lines from `at` form a mail's header block: header lines up to a blank one, with From: and Subject: among them. */
function headerBlockAt(lines: readonly string[], at: number): boolean {
  let from = false;
  let subject = false;
  let n = 0;
  for (let i = at; i < lines.length && i < at + 200; i++) {
    const l = lines[i]!.replace(/\r$/, '');
    if (l === '') return n >= 2 && from && subject;
    if (/^[ \t]/.test(l) && n) continue;
    if (!HEADER.test(l)) return false;
    n++;
    if (/^from:/i.test(l)) from = true;
    if (/^subject:/i.test(l)) subject = true;
  }
  return false;
}

/**
 * A line that was meant as a `From ` separator: its start within two edits of
 * `From `, or the date format-patch and public-inbox write at its end. Not a
 * header line (a forwarded mail's `From:` block is a body, not a separator).
 */
function nearFrom(line: string): boolean {
  const l = line.replace(/\r$/, '');
  // mboxrd's escaped `>From ` (public-inbox keeps format-patch's own From line so) is a body line
  if (l === '' || HEADER.test(l) || /^[ \t]/.test(l) || /^>+From /.test(l)) return false;
  if (/\b\d\d:\d\d:\d\d \d{4}$/.test(l) || /^\S*\s*[0-9a-f]{40}\b/.test(l)) return true;
  return editDistance(l.slice(0, 5), 'From ') <= 2;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The messages of an mbox, in order. Lines are split at LF (a CR before it is
 * dropped, as mbox readers do); mboxrd's `>From ` loses one `>`. A stretch
 * before the first valid `From ` line, or after a damaged separator, is a
 * `damaged` part: the caller names it and reads the others.
 */
export function splitMbox(bytes: Buffer): MboxPart[] {
  // latin1 keeps every byte as one char: the message bytes are given back unchanged
  const lines = bytes.toString('latin1').split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const parts: MboxPart[] = [];
  let start = 0;
  let body: string[] = [];
  let damaged: string | null = null;
  const flush = (): void => {
    while (body.length && body[body.length - 1] === '') body.pop();
    const raw = Buffer.from(body.join('\n'), 'latin1');
    if (damaged !== null) parts.push({ kind: 'damaged', raw, line: start + 1, why: damaged });
    else parts.push({ kind: 'mail', raw, line: start + 1 });
    body = [];
  };
  // blank lines before the first message are skipped, as git mailsplit skips them
  let i = 0;
  while (i < lines.length && /^[ \t\r]*$/.test(lines[i]!)) i++;
  const first = i;
  for (; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (isFromLine(line)) {
      if (i > first) flush();
      start = i + 1;
      damaged = null;
      continue;
    }
    if (i === first) {
      // no separator at the start: the mailbox's first message is damaged
      start = i;
      damaged = `line ${i + 1} is no mbox "From " line (${quote(line)})`;
      if (nearFrom(line)) {
        start = i + 1;
        continue;
      }
    } else if (body.length > 0 && body[body.length - 1] === '' && nearFrom(line) && headerBlockAt(lines, i + 1)) {
      flush();
      start = i + 1;
      damaged = `line ${i + 1} is a damaged mbox "From " line (${quote(line)})`;
      continue;
    }
    body.push(/^>+From /.test(line) ? line.slice(1) : line);
  }
  if (lines.length > first) flush();
  return parts;
}

function quote(line: string): string {
  const shown = line.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(shown.length > 60 ? `${shown.slice(0, 57)}...` : shown);
}
