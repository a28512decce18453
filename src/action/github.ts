// The pull request review: one review holding an inline comment per finding
// on the diff, and a summary. Re-runs find the bot's earlier comments by a
// hidden marker and update them instead of posting again; a comment whose
// finding is gone is marked resolved.
import { mermaidBlock } from '../report/diagram.js';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { Finding } from '../rules/rule.js';
import { fingerprints } from '../report/sarif.js';
import { renderTrace } from '../report/trace.js';

const Client = Octokit.plugin(throttling, retry);
export type GitHub = InstanceType<typeof Client>;

/** The API could not be reached or did not answer in time: named as such, never as an HTTP status. */
export class ApiUnreachable extends Error {}

export interface ApiLimits {
  /** per request, in ms */
  timeoutMs: number;
  /** aborts every request once the run's deadline has passed */
  deadline: AbortSignal;
  /** the longest wait for a rate limit, in s; a longer one gives up (logged) */
  maxWaitS: number;
}

export function gitHub(token: string, baseUrl: string, log: (line: string) => void, limits: ApiLimits = { timeoutMs: 30_000, deadline: new AbortController().signal, maxWaitS: 30 }): GitHub {
  const wait =
    (kind: string) =>
    (after: number, options: { method: string; url: string }, _o: unknown, retryCount: number): boolean => {
      // GitHub asks to wait; a bounded wait, twice at most, each one logged
      if (retryCount >= 2 || after > limits.maxWaitS) {
        log(`mnlint: ${kind} on ${options.method} ${options.url}: GitHub asks for ${after} s, more than ${limits.maxWaitS} s; not waiting`);
        return false;
      }
      log(`mnlint: ${kind} on ${options.method} ${options.url}, retrying after ${after} s`);
      return true;
    };
  // every request through a fetch with a timeout and the run's deadline;
  // what goes wrong on the wire is named (octokit would call it HTTP 500)
  const limitedFetch = async (url: string | URL, init: RequestInit = {}): Promise<Response> => {
    const timeout = AbortSignal.timeout(limits.timeoutMs);
    const what = `${init.method ?? 'GET'} ${String(url)}`;
    try {
      return await fetch(url, { ...init, signal: AbortSignal.any([timeout, limits.deadline, ...(init.signal ? [init.signal] : [])]) });
    } catch (e) {
      if (limits.deadline.aborted) throw new ApiUnreachable(`the run's deadline passed during ${what}`);
      if (timeout.aborted) throw new ApiUnreachable(`no answer in ${limits.timeoutMs / 1000} s on ${what}`);
      const cause = (e as { cause?: { code?: string } }).cause;
      if (cause?.code) throw new ApiUnreachable(`cannot reach ${baseUrl} (${cause.code}) on ${what}`);
      throw e;
    }
  };
  const client = new Client({
    auth: token,
    baseUrl,
    userAgent: 'mnlint-action',
    request: { fetch: limitedFetch },
    throttle: {
      onRateLimit: wait('rate limited'),
      onSecondaryRateLimit: wait('secondary rate limit'),
      // a secondary limit without retry-after: GitHub asks for a minute, which the bound may refuse
      fallbackSecondaryRateRetryAfter: 60,
    },
    retry: { retries: 2 },
    log: { debug: () => {}, info: () => {}, warn: log, error: log },
  });
  // octokit wraps what fetch threw as HTTP 500: hand the named failure on
  client.hook.error('request', (e) => {
    const cause = (e as { cause?: unknown }).cause;
    throw cause instanceof ApiUnreachable ? cause : e;
  });
  return client;
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

/** The inline comment: severity, rule, message, the trace and its diagram folded, the rule's help. */
export function commentBody(p: Placed, docsUrl: string | null, key: string): string {
  const f = p.finding;
  const rule = docsUrl ? `[\`${f.rule}\`](${docsUrl})` : `\`${f.rule}\``;
  const lines = [marker(key), `**${f.severity.toUpperCase()}** ${rule} (${f.invariant}): ${f.message}`];
  if (f.steps.length) lines.push('', '<details><summary>trace</summary>', '', '```', ...renderTrace(f), '```', '', '</details>');
  // the model's counterexample drawn by GitHub's mermaid, folded under the text
  if (f.diagram) lines.push('', '<details><summary>sequence diagram</summary>', '', mermaidBlock(f.diagram), '', '</details>');
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
    await createReviewOnce(gh, base, { commit_id: pr.headSha, event: 'COMMENT', body, comments: fresh });
    result.reviews++;
    result.created += fresh.length;
  }
  return result;
}

/**
 * Posts a review at most once. A write can fail after GitHub applied it (a
 * 502 on the way back): before trying again, what exists is read back, and a
 * review already holding these comments (their markers) or this body counts.
 */
async function createReviewOnce(
  gh: GitHub,
  base: { owner: string; repo: string; pull_number: number },
  review: { commit_id: string; event: 'COMMENT'; body: string; comments: Array<{ path: string; line: number; side: 'RIGHT' | 'LEFT'; body: string }> },
): Promise<void> {
  const markers = review.comments.map((c) => MARKER_RE.exec(c.body)?.[1]).filter((m): m is string => !!m);
  for (let attempt = 0; ; attempt++) {
    try {
      // the plugin's blind retry is off for this write: a retry here re-reads first
      await gh.rest.pulls.createReview({ ...base, ...review, request: { retries: 0 } });
      return;
    } catch (e) {
      const status = (e as { status?: number }).status;
      const transient = e instanceof ApiUnreachable || (typeof status === 'number' && status >= 500);
      if (!transient || attempt >= 2) throw e;
      const comments = await gh.paginate(gh.rest.pulls.listReviewComments, { ...base, per_page: 100 });
      const have = new Set(comments.map((c) => MARKER_RE.exec(c.body)?.[1]).filter(Boolean));
      if (markers.length && markers.every((m) => have.has(m))) return;
      if (!markers.length) {
        const reviews = await gh.paginate(gh.rest.pulls.listReviews, { ...base, per_page: 100 });
        if (reviews.some((r) => r.body === review.body && r.commit_id === review.commit_id)) return;
      }
    }
  }
}

/** The changed files of a pull request, each as a unified diff, for a checkout without the base commit. */
export async function pullRequestDiff(gh: GitHub, pr: PullRequest): Promise<Array<{ filename: string; diff: string }>> {
  const files = await gh.paginate(gh.rest.pulls.listFiles, { owner: pr.owner, repo: pr.repo, pull_number: pr.number, per_page: 100 });
  return files
    .filter((f) => f.patch)
    .map((f) => {
      const old = f.status === 'added' ? '/dev/null' : `a/${f.previous_filename ?? f.filename}`;
      const neu = f.status === 'removed' ? '/dev/null' : `b/${f.filename}`;
      return { filename: f.filename, diff: `diff --git a/${f.previous_filename ?? f.filename} b/${f.filename}\n--- ${old}\n+++ ${neu}\n${f.patch}\n` };
    });
}
