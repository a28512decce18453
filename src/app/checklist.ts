// The pre-send checklist: what a careful mm reviewer says first about a
// series, as pass / warn / fail items, per series and per patch: mnlint's
// rules on the change, the core-patch items, the hygiene of trailers and
// subjects, what changed since the previous version, and the recipients.
import type { Finding } from '../rules/rule.js';
import type { Patch, Series, Trailer } from '../input/patch.js';
import type { RepoFacts } from '../input/git.js';
import type { LevelChoice } from '../input/tree.js';
import { entriesFor, type MaintainerEntry } from '../input/maintainers.js';
import { describeRejected, type PatchReview } from '../engine/review.js';
import { apiUsed, levelWords } from '../report/assumed.js';
import type { Item, PatchChecklist, SeriesChecklist, Status } from '../report/checklist.js';

export interface ChecklistInput {
  series: Series;
  reviews: readonly PatchReview[];
  previous?: Series;
  repo?: RepoFacts;
  /** the base the series was reviewed against (one line), and what was missing from it */
  base?: { label: string; problems: readonly string[] };
  /** the API levels the reviews used (one a series or a commit), with their sources */
  levels?: readonly LevelChoice[];
}

const CORE_FILES = ['mm/mmu_notifier.c', 'include/linux/mmu_notifier.h'];
const KEPT_TRAILERS = ['reviewed-by', 'acked-by', 'tested-by'];

const item = (id: string, status: Status, summary: string, details: string[] = []): Item => ({ id, status, summary, details });

export async function buildChecklist(input: ChecklistInput): Promise<SeriesChecklist> {
  const { series } = input;
  const patches: PatchChecklist[] = [];
  for (const review of input.reviews) {
    const p = review.patch;
    const items: Item[] = [rulesItem(review)];
    const touched = p.files.map((f) => f.newPath ?? f.oldPath!);
    if (touched.some((f) => CORE_FILES.includes(f))) items.push(...coreItems(review.findings, series, touched));
    items.push(signedOffItem(p), ...(await fixesItems(p.trailers, input.repo)), linkItem(p.trailers), assistedItem(p.trailers));
    if (input.repo) items.push(await subjectItem(p, touched, input.repo));
    if (input.previous) items.push(droppedTrailersItem(p, input.previous), openCommentsItem(p, input.previous));
    patches.push({ label: review.label, items });
  }
  const seriesItems: Item[] = [];
  // messages of the input that could not be read (a damaged mbox separator, a mangled diff): the checklist is incomplete
  const unread = series.problems ?? [];
  if (unread.length) seriesItems.push(item('input', 'fail', `${unread.length} ${unread.length === 1 ? 'message' : 'messages'} of the input could not be read`, [...unread]));
  if (input.base) seriesItems.push(item('base', input.base.problems.length ? 'warn' : 'pass', `reviewed against ${input.base.label}`, [...input.base.problems]));
  if (input.levels?.length) seriesItems.push(levelItem(input.levels));
  if (series.version > 1) seriesItems.push(changelogItem(series));
  if (input.repo?.maintainers) seriesItems.push(recipientsItem(series, input.repo.maintainers));
  const title = series.cover?.subject ?? series.patches[0]?.subject ?? series.source;
  return { source: series.source, version: series.version, title, series: seriesItems, patches };
}

/** The API level the rules judged by, and where it came from; the newest taken for want of a header is a warning. */
function levelItem(levels: readonly LevelChoice[]): Item {
  const lines = [...new Set(levels.map((l) => levelWords(apiUsed(l))))];
  const newest = levels.some((l) => l.source === 'newest');
  const hint = newest ? " (--tree, --repo, --kernel or --api names the tree's)" : '';
  return lines.length === 1 ? item('api', newest ? 'warn' : 'pass', `checked at API level ${lines[0]}${hint}`) : item('api', newest ? 'warn' : 'pass', `checked at ${lines.length} API levels${hint}`, lines);
}

function rulesItem(review: PatchReview): Item {
  if (review.problems.length) return item('mnlint', 'fail', 'the patch could not be reviewed', review.problems);
  const count = (s: string): number => review.findings.filter((f) => f.severity === s).length;
  const details = [...review.rejected.map((x) => `not reviewed: ${describeRejected(x)}`), ...review.findings.map((f) => `${f.file}:${f.line}: ${f.severity}: ${f.message} [${f.rule}]`)];
  const partial = review.rejected.length
    ? ` (partial: ${review.rejected.length} ${review.rejected.length === 1 ? 'hunk' : 'hunks'} did not apply and ${review.rejected.length === 1 ? 'was' : 'were'} not reviewed)`
    : review.partial
      ? ' (partial: no tree, only functions wholly inside the hunks)'
      : '';
  const status: Status = count('error') ? 'fail' : count('warning') ? 'warn' : 'pass';
  return item('mnlint', status, `${count('error')} errors, ${count('warning')} warnings, ${count('info')} infos on the lines this patch adds${partial}`, details);
}

function coreItems(findings: readonly Finding[], series: Series, touched: string[]): Item[] {
  const of = (rule: string): Finding[] => findings.filter((f) => f.rule === rule);
  const undocumented = of('ops-member-undocumented');
  const unchecked = of('core-insert-checks-finish');
  const items = [
    undocumented.length
      ? item(
          'kernel-doc',
          'fail',
          'new ops members without a kernel-doc line',
          undocumented.map((f) => `${f.file}:${f.line}: ${f.message}`),
        )
      : item('kernel-doc', 'pass', 'every ops member has its kernel-doc line'),
    unchecked.length
      ? item(
          'registration-check',
          'warn',
          'two-pass ops are accepted at insert without checking that invalidate_finish exists',
          unchecked.map((f) => `${f.file}:${f.line}: ${f.message}`),
        )
      : item('registration-check', 'pass', 'insert refuses or warns on invalidate_start without invalidate_finish, or the patch adds no two-pass ops'),
  ];
  // core behaviour changes want the header's documentation changed in the same series
  if (touched.includes('mm/mmu_notifier.c')) {
    const headerTouched = series.patches.some((p) => p.files.some((f) => f.newPath === 'include/linux/mmu_notifier.h'));
    items.push(
      headerTouched
        ? item('header-docs', 'pass', 'include/linux/mmu_notifier.h is updated in the series')
        : item('header-docs', 'warn', 'mm/mmu_notifier.c changes but include/linux/mmu_notifier.h does not: is its documentation still right?'),
    );
  }
  return items;
}

/** `Name <address>` -> its parts, the name without quotes. */
function person(value: string): { name: string; address: string } {
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]+)>/.exec(value);
  return m ? { name: m[1]!.trim(), address: m[2]!.trim().toLowerCase() } : { name: '', address: value.trim().toLowerCase() };
}

function signedOffItem(p: Patch): Item {
  if (!p.from) return item('signed-off-by', 'warn', 'no From: to compare the Signed-off-by lines with');
  const author = person(p.from);
  const sobs = p.trailers.filter((t) => t.key.toLowerCase() === 'signed-off-by').map((t) => person(t.value));
  const same = sobs.find((s) => s.address === author.address);
  if (!same)
    return item(
      'signed-off-by',
      'fail',
      `no Signed-off-by from the author ${p.from}`,
      sobs.map((s) => `Signed-off-by: ${s.name} <${s.address}>`),
    );
  if (author.name && same.name !== author.name) return item('signed-off-by', 'warn', `the author's Signed-off-by names "${same.name}", From: names "${author.name}"`);
  return item('signed-off-by', 'pass', `Signed-off-by matches the author (${author.name || author.address})`);
}

async function fixesItems(trailers: readonly Trailer[], repo: RepoFacts | undefined): Promise<Item[]> {
  const fixes = trailers.filter((t) => t.key.toLowerCase() === 'fixes');
  if (!fixes.length) return [];
  const details: string[] = [];
  let status: Status = 'pass';
  for (const f of fixes) {
    const m = /^([0-9a-f]{12,40}) \("(.+)"\)$/.exec(f.value);
    if (!m) {
      status = 'fail';
      details.push(`Fixes: ${f.value}: not in the form <12+ hex digits> ("<subject>")`);
      continue;
    }
    if (!repo) continue;
    const subject = await repo.commitSubject(m[1]!);
    if (subject === null) {
      status = 'fail';
      details.push(`Fixes: ${m[1]}: no such commit in the repository`);
    } else if (subject !== m[2]) {
      if (status === 'pass') status = 'warn';
      details.push(`Fixes: ${m[1]}: the commit's subject is "${subject}", not "${m[2]}"`);
    }
  }
  const summary = status === 'pass' ? `${fixes.length} Fixes: tag${fixes.length === 1 ? '' : 's'} well formed${repo ? ' and found in the repository' : ''}` : 'Fixes: tags to correct';
  return [item('fixes', status, summary, details)];
}

function linkItem(trailers: readonly Trailer[]): Item {
  const links = trailers.filter((t) => /^(link|closes)$/i.test(t.key));
  const bad = links.filter((t) => !/^https?:\/\/\S+$/.test(t.value));
  if (bad.length)
    return item(
      'link',
      'fail',
      'Link:/Closes: must be a URL',
      bad.map((t) => `${t.key}: ${t.value}`),
    );
  return item('link', 'pass', links.length ? `${links.length} Link:/Closes: tag${links.length === 1 ? '' : 's'} well formed` : 'no Link:/Closes: tags');
}

function assistedItem(trailers: readonly Trailer[]): Item {
  const assisted = trailers.filter((t) => t.key.toLowerCase() === 'assisted-by');
  // Documentation/process: `Assisted-by: AGENT_NAME:MODEL_VERSION [TOOL...]`, an optional `# comment`
  const bad = assisted.filter((t) => !/^[^:#\s][^:#]*:[^\s#]+(\s+[^\s#]+)*(\s+#.*)?$/.test(t.value));
  if (bad.length)
    return item(
      'assisted-by',
      'fail',
      'Assisted-by: wants AGENT_NAME:MODEL_VERSION [TOOL...]',
      bad.map((t) => `Assisted-by: ${t.value}`),
    );
  return item('assisted-by', 'pass', assisted.length ? 'Assisted-by: in the documented form' : 'no Assisted-by: tags');
}

/** `mm/mmu_notifier: Allow ...` -> `mm/mmu_notifier`. */
function prefixOf(subject: string): string | null {
  const m = /^(.+?): /.exec(subject);
  return m ? m[1]!.trim() : null;
}

async function subjectItem(p: Patch, touched: string[], repo: RepoFacts): Promise<Item> {
  const mine = prefixOf(p.subject);
  const seen = new Map<string, number>();
  for (const file of touched) {
    for (const s of await repo.subjectsTouching(file)) {
      const pre = prefixOf(s);
      if (pre) seen.set(pre, (seen.get(pre) ?? 0) + 1);
    }
  }
  const usual = [...seen].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
  if (!usual.length) return item('subject-prefix', 'pass', 'no history for the touched files to compare the subject prefix with');
  if (mine && seen.has(mine)) return item('subject-prefix', 'pass', `subject prefix "${mine}:" as in the files' history`);
  return item('subject-prefix', 'warn', `subject prefix ${mine ? `"${mine}:"` : '(none)'} is not one the touched files' history uses`, [
    `usual: ${usual
      .slice(0, 3)
      .map((u) => `"${u}:"`)
      .join(', ')}`,
  ]);
}

/** b4's identity of a patch across versions: the same subject (patch-ids need a repository and the same base). */
function previousOf(p: Patch, previous: Series): Patch | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/\s+/g, ' ').trim();
  return previous.patches.find((q) => norm(q.subject) === norm(p.subject)) ?? previous.patches.find((q) => q.index === p.index && q.total === p.total);
}

function droppedTrailersItem(p: Patch, previous: Series): Item {
  const before = previousOf(p, previous);
  if (!before) return item('kept-trailers', 'pass', `no matching patch in v${previous.version}`);
  const now = new Set(p.trailers.map((t) => `${t.key.toLowerCase()}: ${person(t.value).address}`));
  const dropped = before.trailers.filter((t) => KEPT_TRAILERS.includes(t.key.toLowerCase()) && !now.has(`${t.key.toLowerCase()}: ${person(t.value).address}`));
  if (!dropped.length) return item('kept-trailers', 'pass', `every Reviewed-by/Acked-by/Tested-by of v${previous.version} is kept`);
  return item(
    'kept-trailers',
    'warn',
    `v${previous.version} had ${dropped.length} trailer${dropped.length === 1 ? '' : 's'} this version drops: say why in the changelog`,
    dropped.map((t) => `${t.key}: ${t.value}`),
  );
}

/** The added lines of a patch, trimmed. */
function addedLines(p: Patch): Set<string> {
  return new Set(p.files.flatMap((f) => f.hunks.flatMap((h) => h.lines.filter((l) => l.startsWith('+')).map((l) => l.slice(1).trim()))));
}

/**
 * Review comments on the previous version (replies quoting its added lines,
 * then saying something) whose quoted line this version still adds unchanged.
 */
function openCommentsItem(p: Patch, previous: Series): Item {
  const before = previousOf(p, previous);
  if (!before?.messageId) return item('open-comments', 'pass', `no review comments on v${previous.version} to follow up`);
  const now = addedLines(p);
  const open: string[] = [];
  for (const reply of previous.replies.filter((r) => r.inReplyTo === before.messageId)) {
    const lines = reply.text.replace(/\r\n/g, '\n').split('\n');
    for (let i = 0; i < lines.length; i++) {
      // a quoted added line (one level of quote) right above the reviewer's own words
      const m = /^> \+(.*)$/.exec(lines[i]!);
      if (!m || lines[i + 1]?.startsWith('>')) continue;
      const comment = lines.slice(i + 1).find((l) => l.trim() && !l.startsWith('>'));
      const code = m[1]!.trim();
      if (comment && code.length >= 8 && now.has(code)) open.push(`${person(reply.from ?? '').name || reply.from}: "${comment.trim()}" on \`${code}\`, unchanged in v${p.version}`);
    }
  }
  if (!open.length) return item('open-comments', 'pass', `no comment on v${previous.version} sits on a line this version adds unchanged`);
  return item('open-comments', 'warn', `${open.length} review comment${open.length === 1 ? '' : 's'} on v${previous.version} on lines this version still adds unchanged: answered?`, open);
}

function changelogItem(series: Series): Item {
  // the cover letter, below --- in a patch, or in the message itself (the DRM habit)
  const texts = [series.cover?.message ?? '', ...series.patches.flatMap((p) => [p.notes, p.message])].join('\n');
  const missing: number[] = [];
  for (let v = 2; v <= series.version; v++) if (!new RegExp(`\\bv${v}\\b`, 'i').test(texts)) missing.push(v);
  if (missing.length === series.version - 1) return item('changelog', 'fail', `v${series.version} without a changelog (in the cover letter, below --- or in the messages)`);
  if (missing.length) return item('changelog', 'warn', `the changelog does not name ${missing.map((v) => `v${v}`).join(', ')}`);
  return item('changelog', 'pass', `the changelog names every version up to v${series.version}`);
}

function recipientsItem(series: Series, entries: readonly MaintainerEntry[]): Item {
  const mails = [...(series.cover ? [series.cover] : []), ...series.patches];
  // git send-email also mails the Cc: lines of each message
  const sent = new Set(mails.flatMap((m) => [...m.to, ...m.cc, ...(m.from ? [person(m.from).address] : []), ...m.trailers.filter((t) => t.key.toLowerCase() === 'cc').map((t) => person(t.value).address)]));
  const wanted = new Map<string, string>();
  for (const p of series.patches) {
    for (const f of p.files) {
      // THE REST (Linus and LKML) is the fallback of every file; not asked for
      for (const e of entriesFor(entries, f.newPath ?? f.oldPath!).filter((x) => x.name !== 'THE REST')) {
        for (const a of [...e.people, ...e.lists]) if (!wanted.has(a)) wanted.set(a, e.name);
      }
    }
  }
  const missing = [...wanted].filter(([a]) => !sent.has(a)).sort((a, b) => a[0].localeCompare(b[0]));
  if (!wanted.size) return item('recipients', 'pass', 'MAINTAINERS names nobody for the touched files');
  if (!missing.length) return item('recipients', 'pass', `every maintainer and list MAINTAINERS names for the touched files is on To/Cc (${wanted.size})`);
  return item(
    'recipients',
    'warn',
    `${missing.length} of ${wanted.size} addresses MAINTAINERS names are not on To/Cc`,
    missing.map(([a, name]) => `${a} (${name})`),
  );
}

export function worst(list: SeriesChecklist): Status {
  const all = [...list.series, ...list.patches.flatMap((p) => p.items)].map((i) => i.status);
  return all.includes('fail') ? 'fail' : all.includes('warn') ? 'warn' : 'pass';
}
