// What the runner hands the action: inputs as INPUT_* variables, the event
// payload as a JSON file, outputs as lines appended to $GITHUB_OUTPUT. Every
// one of them is data: validated here, never passed to a shell.
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { MnlintError, readInputText } from '../input/read.js';
import { FAIL_ON, type FailOn } from '../report/findings.js';
import { DEFAULT_FILTER, FILTERS, type Filter } from '../engine/filter.js';

export class ActionInputError extends MnlintError {}

export interface ActionInputs {
  token: string;
  path: string;
  failOn: FailOn;
  filter: Filter;
  review: boolean;
  annotations: boolean;
  sarifFile: string | null;
  kernel: string | null;
  /** seconds a GitHub API request may take */
  requestTimeout: number;
  /** seconds the whole run may take talking to GitHub */
  deadline: number;
  config: string | null;
  /** a baseline file (check --write-baseline), relative to the workspace */
  baseline: string | null;
}

/** The runner's spelling: `INPUT_` + the name upper-cased, spaces to `_` (hyphens stay). */
function input(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const v = input(env, name) || fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new ActionInputError(`input ${name}: ${JSON.stringify(v)} is not one of ${allowed.join(', ')}`);
  return v as T;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const v = input(env, name).toLowerCase();
  if (!v) return fallback;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new ActionInputError(`input ${name}: ${JSON.stringify(v)} is not true or false`);
}

export function readInputs(env: NodeJS.ProcessEnv): ActionInputs {
  return {
    token: input(env, 'github-token'),
    path: input(env, 'path') || '.',
    failOn: oneOf(env, 'fail-on', FAIL_ON, 'error'),
    filter: oneOf(env, 'filter', FILTERS, DEFAULT_FILTER),
    review: flag(env, 'review', true),
    annotations: flag(env, 'annotations', true),
    sarifFile: input(env, 'sarif-file') || null,
    kernel: input(env, 'kernel') || null,
    config: input(env, 'config') || null,
    baseline: input(env, 'baseline') || null,
    requestTimeout: seconds(env, 'request-timeout', 30),
    deadline: seconds(env, 'deadline', 600),
  };
}

/** A whole number of seconds, at least 1. */
function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = input(env, name);
  if (!v) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new ActionInputError(`input ${name}: ${JSON.stringify(v)} is not a whole number of seconds`);
  return Number(v);
}

const Repo = z.object({ full_name: z.string(), name: z.string(), owner: z.object({ login: z.string() }) });
const Ref = z.object({ sha: z.string().check(z.regex(/^[0-9a-f]{40}$/)), ref: z.string(), repo: z.nullable(Repo) });

/** The part of a `pull_request` / `pull_request_target` payload the action reads. */
export const PullRequestEvent = z.object({
  pull_request: z.object({ number: z.number(), base: Ref, head: Ref }),
  repository: Repo,
});
export type PullRequestEvent = z.infer<typeof PullRequestEvent>;

export function readPullRequestEvent(path: string): PullRequestEvent {
  let json: unknown;
  try {
    json = JSON.parse(readInputText(path));
  } catch (e) {
    const why = e instanceof MnlintError && 'reason' in e ? String(e.reason) : (e as Error).message.split('\n')[0];
    throw new ActionInputError(`${path}: cannot read the event payload (${why})`);
  }
  const parsed = PullRequestEvent.safeParse(json);
  if (!parsed.success) throw new ActionInputError(`${path}: not a pull_request event payload (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

/** `name=value` lines, or a heredoc block when the value spans lines. */
export function setOutput(env: NodeJS.ProcessEnv, name: string, value: string): void {
  const file = env.GITHUB_OUTPUT;
  if (!file) return;
  const delimiter = `mnlint_${randomUUID()}`;
  appendFileSync(file, value.includes('\n') ? `${name}<<${delimiter}\n${value}\n${delimiter}\n` : `${name}=${value}\n`);
}
