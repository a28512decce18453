// `--format email`: a reply to each patch that has findings, the way a
// maintainer answers on the list. Each reply has RFC 5322 headers threaded
// under the patch, the hunk quoted with `> ` down to the line a comment is
// about, `[ ... ]` where quote is elided, and a footer naming the tool and the
// run. Deterministic: same input, same bytes (the date is the patch's own).
import { createHash } from 'node:crypto';
import { describeRejected, type PatchReview } from '../engine/review.js';
import { basename } from 'node:path';
import type { FilePatch, Patch } from '../input/patch.js';
import { hunkHeader } from '../input/apply.js';
import type { Finding } from '../rules/rule.js';
import type { ApiUsed } from './assumed.js';
import { renderTrace } from './trace.js';

export interface EmailOptions {
  version: string;
  /** how the run is reproduced, for the footer */
  reproduce: Reproduce;
  from?: string;
  /** the API level the review judged by, said above the footer (its source in words without local paths) */
  api?: ApiUsed;
}

/** Where the level came from, for a public reply: no local path (a configuration file is "the configuration"). */
const SOURCE_WORDS: Record<ApiUsed['source'], (api: ApiUsed) => string> = {
  api: (a) => a.from,
  kernel: (a) => a.from,
  config: (a) => `the configuration's kernel ${a.from.split(' ')[1]}`,
  header: () => "the tree's include/linux/mmu_notifier.h",
  makefile: () => "the tree's include/linux/mmu_notifier.h and Makefile",
  newest: () => 'the newest level mnlint models: no include/linux/mmu_notifier.h was found',
};

/** The reply's line saying which API level the review judged by. */
export function emailLevelLine(api: ApiUsed): string {
  return api.source === 'newest' ? `Checked at API level ${api.level}, ${SOURCE_WORDS.newest(api)}.` : `Checked at API level ${api.level}, from ${SOURCE_WORDS[api.source](api)}.`;
}

/**
 * The run a reply's footer reproduces, without the reviewer's local paths (a
 * reply goes to a public list): a tree or repository is named LINUX, an input
 * file by its base name, a patch that has a Message-ID by that.
 */
export type Reproduce = {
  /** options with no path in them: --kernel, --api, --filter, --rule */
  options: readonly string[];
  /** --tree DIR, --repo DIR given */
  tree?: boolean;
  repo?: boolean;
} & ({ command: 'patch' /** the input files of the series (`-` for standard input) */; inputs: readonly string[] } | { command: 'git'; revision: string });

/** What stands for the reviewer's kernel tree or repository. */
const TREE = 'LINUX';

/**
 * The footer's command line for the reply to `p`. A mail with a Message-ID is
 * fetched by it (b4 am, that version of the series, on stdout); else the input
 * files are named by their base names; `git` runs in the reader's clone.
 */
export function reproduceLine(p: Patch, how: Reproduce): string {
  if (how.command === 'git') return ['mnlint git', ...how.options, shellWord(how.revision)].join(' ');
  const options = [...(how.repo ? ['--repo', TREE] : []), ...(how.tree ? ['--tree', TREE] : []), ...how.options];
  const id = p.messageId?.replace(/^<|>$/g, '');
  if (id) return `b4 am -o - -v ${p.version} ${shellWord(id)} | ${['mnlint patch', ...options, '-'].join(' ')}`;
  return ['mnlint patch', ...options, ...how.inputs.map((f) => (f === '-' || f === '<stdin>' ? '-' : shellWord(basename(f))))].join(' ');
}

/** `word` as a shell reads it back: bare when it is plain, else single-quoted. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Lines of context quoted above a comment before the quote is elided. */
const QUOTE_BEFORE = 3;

export interface Reply {
  /** a file name for --output-dir */
  name: string;
  text: string;
}

export function emailReplies(reviews: readonly PatchReview[], opts: EmailOptions): Reply[] {
  const out: Reply[] = [];
  for (const r of reviews) {
    if (!r.findings.length) continue;
    const p = r.patch;
    const subject = `Re: ${r.label.startsWith('[') ? r.label : `[PATCH] ${r.label}`}`;
    const id = createHash('sha256')
      .update(`${p.messageId ?? r.label}\0${r.findings.map((f) => `${f.rule}:${f.file}:${f.line}`).join(',')}`)
      .digest('hex')
      .slice(0, 16);
    // as 0-day and maintainers reply: To the author, Cc everyone the patch went to
    const author = p.from ? /<([^>]+)>/.exec(p.from)?.[1]?.toLowerCase() : undefined;
    const cc = [...new Set([...p.to, ...p.cc])].filter((a) => a && a !== author);
    const thread = [...(p.references ?? []).filter((r) => r !== p.messageId), ...(p.messageId ? [p.messageId] : [])];
    const headers = [
      `From: ${opts.from ?? 'mnlint <mnlint@localhost.invalid>'}`,
      ...(p.from ? [`To: ${p.from}`] : []),
      ...(cc.length ? [`Cc: ${cc.join(', ')}`] : []),
      `Subject: ${subject}`,
      `Date: ${p.date ? new Date(p.date).toUTCString().replace('GMT', '+0000') : 'Thu, 01 Jan 1970 00:00:00 +0000'}`,
      `Message-Id: <mnlint.${id}@localhost.invalid>`,
      ...(p.messageId ? [`In-Reply-To: ${p.messageId}`, `References: ${thread.join(' ')}`] : []),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
    ];
    const body: string[] = [];
    // a partial review says so before anything else
    if (r.rejected.length) {
      const hunks = p.files.reduce((n, f) => n + f.hunks.length, 0);
      body.push(`This review is partial: ${r.rejected.length} of ${hunks} hunks did not apply and were not reviewed:`, ...r.rejected.map((x) => `  ${describeRejected(x)}`), '');
    } else if (r.partial) body.push('This review is partial: without the tree only the hunks were read; a function not wholly inside them gets warnings, never errors.', '');
    body.push(p.from ? `On ${headers.find((h) => h.startsWith('Date:'))!.slice(6)}, ${p.from.replace(/\s*<.*>$/, '')} wrote:` : 'The patch reads:');
    const placed = new Set<Finding>();
    for (const fp of p.files) {
      if (!fp.newPath) continue;
      const here = r.findings.filter((f) => f.file === fp.newPath);
      if (!here.length) continue;
      body.push(`> diff --git a/${fp.oldPath ?? fp.newPath} b/${fp.newPath}`);
      body.push('> [ ... ]');
      quoteFile(fp, here, body, placed);
    }
    const elsewhere = r.findings.filter((f) => !placed.has(f));
    if (elsewhere.length) {
      body.push('', 'Outside the hunks:', '');
      for (const f of elsewhere) comment(body, f);
    }
    if (r.fixed.length) {
      body.push('', 'Fixed by this patch (reported on the tree before it):', '');
      for (const f of r.fixed) body.push(`  ${f.file}:${f.line}: ${f.severity}: ${f.message} [${f.rule}]`);
    }
    // what the review assumed, above the footer
    if (opts.api) body.push('', emailLevelLine(opts.api));
    body.push('', '-- ', `mnlint ${opts.version}, a static checker for mmu_notifier users: \`mnlint explain RULE\` says why.`, `Reproduce with: ${reproduceLine(p, opts.reproduce)}`);
    const text = `${headers.join('\n')}\n\n${body.join('\n')}\n`;
    // the Message-ID in the name: v1 2/2 and v2 2/2 of one series never share a file
    out.push({
      name: `${String(p.index).padStart(4, '0')}-re-${slug(p.subject)}-${createHash('sha256')
        .update(p.messageId ?? r.label)
        .digest('hex')
        .slice(0, 12)}.eml`,
      text,
    });
  }
  return out;
}

/** An mbox of the replies, for stdout. */
export function emailMbox(replies: readonly Reply[]): string {
  return replies.map((r) => `From mnlint Thu Jan  1 00:00:00 1970\n${r.text.replace(/^(>*From )/gm, '>$1')}`).join('\n');
}

function quoteFile(fp: FilePatch, findings: Finding[], body: string[], placed: Set<Finding>): void {
  for (const [k, h] of fp.hunks.entries()) {
    // new-side line number of each hunk line
    const numbers: Array<number | null> = [];
    let n = h.newStart;
    for (const l of h.lines) numbers.push(l.startsWith('-') || l.startsWith('\\') ? null : n++);
    const inHunk = findings.filter((f) => !placed.has(f) && numbers.includes(f.line)).sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
    if (!inHunk.length) continue;
    body.push(`> ${hunkHeader(h, fp.sections[k])}`);
    let quotedUpTo = -1;
    for (const f of inHunk) {
      const at = numbers.indexOf(f.line);
      if (at > quotedUpTo) {
        const from = Math.max(quotedUpTo + 1, at - QUOTE_BEFORE);
        if (from > quotedUpTo + 1) body.push('> [ ... ]');
        for (let i = from; i <= at; i++) body.push(`> ${h.lines[i]}`);
        quotedUpTo = at;
      }
      body.push('');
      comment(body, f);
      placed.add(f);
    }
    if (quotedUpTo < h.lines.length - 1) body.push('> [ ... ]');
  }
}

function comment(body: string[], f: Finding): void {
  body.push(`${f.severity.toUpperCase()}: ${f.message} [${f.rule}${f.invariant ? `, ${f.invariant}` : ''}]`);
  if (f.steps.length) {
    body.push('');
    for (const t of renderTrace(f)) body.push(`    ${t}`);
  }
  body.push('');
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 52);
}
