// The pull request review: one review holding an inline comment per finding
// on the diff, and a summary. Re-runs find the bot's earlier comments by a
// hidden marker and update them instead of posting again; a comment whose
// finding is gone is marked resolved.
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { Finding } from '../rules/rule.js';
import { fingerprints } from '../report/sarif.js';

const Client = Octokit.plugin(throttling, retry);
export type GitHub = InstanceType<typeof Client>;

export function gitHub(token: string, baseUrl: string, log: (line: string) => void): GitHub {
  return new Client({
    auth: token,
    baseUrl,
    userAgent: 'mnlint-action',
    throttle: {
      // GitHub asks to wait; two waits per request, then give up
      onRateLimit: (after: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
        log(`mnlint: rate limited on ${options.method} ${options.url}, retrying after ${after} s`);
        return retryCount < 2;
      },
      onSecondaryRateLimit: (after: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
        log(`mnlint: secondary rate limit on ${options.method} ${options.url}, retrying after ${after} s`);
        return retryCount < 2;
      },
    },
    retry: { retries: 2 },
    log: { debug: () => {}, info: () => {}, warn: log, error: log },
  });
}

const MARK = 'mnlint:v1';
const marker = (key: string, state = ''): string => `<!-- ${MARK} ${key}${state ? ` ${state}` : ''} -->`;
const MARKER_RE = /<!-- mnlint:v1 ([0-9a-f]{32})( resolved)? -->/;
const SUMMARY = '<!-- mnlint:summary -->';

export interface PullRequest {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
}

export interface Placed {
  finding: Finding;
  /** path in the repository */
  path: string;
  /** a finding a deletion caused: commented on the deleted line, the diff's left side */
  left?: number;
}

/** The inline comment: severity, rule, message, the trace folded, the rule's help. */
export function commentBody(p: Placed, docsUrl: string | null, key: string): string {
  const f = p.finding;
  const rule = docsUrl ? `[\`${f.rule}\`](${docsUrl})` : `\`${f.rule}\``;
  const lines = [marker(key), `**${f.severity.toUpperCase()}** ${rule} (${f.invariant}): ${f.message}`];
  if (f.trace.length) lines.push('', '<details><summary>trace</summary>', '', '```', ...f.trace, '```', '', '</details>');
  return lines.join('\n');
}

export function summaryBody(all: readonly Placed[], outside: readonly Placed[], headSha: string, fixed: readonly Placed[] = []): string {
  const count = (s: string): number => all.filter((p) => p.finding.severity === s).length;
  const lines = [SUMMARY, `**mnlint** at ${headSha.slice(0, 12)}: ${count('error')} errors, ${count('warning')} warnings, ${count('info')} infos.`];
  if (outside.length) {
    lines.push('', 'Outside the diff:', '');
    for (const p of outside) lines.push(`- \`${p.path}:${p.finding.line}\` **${p.finding.severity}** \`${p.finding.rule}\`: ${p.finding.message}`);
  }
  if (fixed.length) {
    lines.push('', 'Fixed by this pull request (reported on the base):', '');
    for (const p of fixed) lines.push(`- \`${p.path}:${p.finding.line}\` **${p.finding.severity}** \`${p.finding.rule}\`: ${p.finding.message}`);
  }
  return lines.join('\n');
}

export interface SyncResult {
  created: number;
  updated: number;
  resolved: number;
  reviews: number;
}

/**
 * Brings the bot's comments on the pull request in line with the findings:
 * new ones in one review, changed ones edited, gone ones marked resolved.
 */
export async function syncReview(gh: GitHub, pr: PullRequest, inline: readonly Placed[], outside: readonly Placed[], docsUrl: (rule: string) => string | null, fixed: readonly Placed[] = []): Promise<SyncResult> {
  const base = { owner: pr.owner, repo: pr.repo, pull_number: pr.number };
  const comments = await gh.paginate(gh.rest.pulls.listReviewComments, { ...base, per_page: 100 });
  const ours = new Map<string, { id: number; body: string; resolved: boolean }>();
  for (const c of comments) {
    const m = MARKER_RE.exec(c.body);
    if (m && !ours.has(m[1]!)) ours.set(m[1]!, { id: c.id, body: c.body, resolved: Boolean(m[2]) });
  }
  const result: SyncResult = { created: 0, updated: 0, resolved: 0, reviews: 0 };
  const fresh: Array<{ path: string; line: number; side: 'RIGHT' | 'LEFT'; body: string }> = [];
  const seen = new Set<string>();
  // keys over every finding of the run: equal messages in one function stay apart
  const placedAs = new Map([...inline, ...outside].map((p) => [p, { ...p.finding, file: p.path }]));
  const keys = fingerprints([...placedAs.values()]);
  for (const p of inline) {
    const key = keys.get(placedAs.get(p)!)!;
    if (seen.has(key)) continue;
    seen.add(key);
    const body = commentBody(p, docsUrl(p.finding.rule), key);
    const old = ours.get(key);
    if (!old) fresh.push(p.left !== undefined ? { path: p.path, line: p.left, side: 'LEFT', body } : { path: p.path, line: p.finding.line, side: 'RIGHT', body });
    else if (old.body !== body) {
      await gh.rest.pulls.updateReviewComment({ owner: pr.owner, repo: pr.repo, comment_id: old.id, body });
      result.updated++;
    }
  }
  for (const [key, old] of ours) {
    if (seen.has(key) || old.resolved) continue;
    const body = `${marker(key, 'resolved')}\n**Resolved**: mnlint no longer reports this at ${pr.headSha.slice(0, 12)}.\n\n<details><summary>the earlier finding</summary>\n\n${old.body.replace(MARKER_RE, '').trim()}\n\n</details>`;
    await gh.rest.pulls.updateReviewComment({ owner: pr.owner, repo: pr.repo, comment_id: old.id, body });
    result.resolved++;
  }
  const summary = summaryBody([...inline, ...outside], outside, pr.headSha, fixed);
  const reviews = await gh.paginate(gh.rest.pulls.listReviews, { ...base, per_page: 100 });
  const earlier = reviews.find((r) => (r.body ?? '').includes(SUMMARY));
  if (earlier && earlier.body !== summary) await gh.rest.pulls.updateReview({ ...base, review_id: earlier.id, body: summary });
  if (fresh.length || !earlier) {
    // the first run's review carries the summary; later ones only the new comments
    const body = earlier ? `**mnlint** at ${pr.headSha.slice(0, 12)}: ${fresh.length} new finding${fresh.length === 1 ? '' : 's'}.` : summary;
    await gh.rest.pulls.createReview({ ...base, commit_id: pr.headSha, event: 'COMMENT', body, comments: fresh });
    result.reviews++;
    result.created += fresh.length;
  }
  return result;
}

/** The changed files of a pull request as a unified diff, for a checkout without the base commit. */
export async function pullRequestDiff(gh: GitHub, pr: PullRequest): Promise<string> {
  const files = await gh.paginate(gh.rest.pulls.listFiles, { owner: pr.owner, repo: pr.repo, pull_number: pr.number, per_page: 100 });
  return files
    .filter((f) => f.patch)
    .map((f) => {
      const old = f.status === 'added' ? '/dev/null' : `a/${f.previous_filename ?? f.filename}`;
      const neu = f.status === 'removed' ? '/dev/null' : `b/${f.filename}`;
      return `diff --git a/${f.previous_filename ?? f.filename} b/${f.filename}\n--- ${old}\n+++ ${neu}\n${f.patch}\n`;
    })
    .join('');
}
