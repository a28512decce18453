// The traffic bench's manifest (bench/traffic/manifest.json), read through
// zod: real notifier patches as posted to the lists, the stored mail each
// comes from, the tree it is reviewed against and, for a posting a later
// commit fixed, the bug that commit names.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod/mini';

const Prepare = z.object({ mail: z.string(), reverse: z.optional(z.boolean()) });

const Base = z.object({
  /** relative to .cache/: releases/<version> or kernels/linux-6.{1,12} */
  tree: z.string().check(z.regex(/^(releases\/[\w.-]+|kernels\/linux-6\.(1|12))$/)),
  note: z.string(),
  /** cached mails applied (or reverse-applied) to a hard-linked copy of the tree first */
  prepare: z.optional(z.array(Prepare)),
});

const Bug = z.object({
  file: z.string(),
  /** the functions the fixing commit changes for this bug */
  functions: z.array(z.string()).check(z.minLength(1)),
  /** text of the post-image lines the bug sits on (added or context lines) */
  lines: z.array(z.string()),
  /** the rules that should report it; empty when no rule covers this kind of bug */
  expectedRules: z.array(z.string()),
  /** false: a bug outside what mnlint's rules check (driver bookkeeping, range arithmetic) */
  inScope: z.boolean(),
  note: z.string(),
});

/** a finding on a good posting's changed lines that triage found true (bench/traffic/triage.md): not a false finding */
const Triaged = z.object({ rule: z.string(), file: z.string(), verdict: z.literal('real issue'), why: z.string() });

const Posting = z.object({
  key: z.string().check(z.regex(/^[A-Z]\d+$/)),
  messageId: z.string().check(z.regex(/^<[^<>\s]+>$/)),
  subject: z.string(),
  list: z.string(),
  store: z.object({ readFileId: z.string().check(z.regex(/^\d+$/)), archive: z.string(), path: z.string(), commit: z.nullable(z.string()) }),
  lore: z.string(),
  kind: z.enum(['fixes-target', 'good']),
  fixedBy: z.optional(z.array(z.object({ commit: z.string(), subject: z.string() }))),
  bug: z.optional(Bug),
  base: Base,
  triaged: z.optional(z.array(Triaged)),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
});

export const TrafficManifestSchema = z.object({ about: z.string(), llmBotRecall: z.number(), postings: z.array(Posting) });

export type TrafficManifest = z.infer<typeof TrafficManifestSchema>;
export type Posting = z.infer<typeof Posting>;

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const CACHE = resolve(process.env.MNLINT_TRAFFIC_CACHE ?? resolve(REPO_ROOT, '.cache', 'traffic'));

export function loadTrafficManifest(file = resolve(import.meta.dirname, 'manifest.json')): TrafficManifest {
  const m = TrafficManifestSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  for (const p of m.postings) {
    if (p.kind === 'fixes-target' && (!p.bug || !p.fixedBy?.length)) throw new Error(`manifest: ${p.key} is a Fixes target without bug or fixedBy`);
    for (const step of p.base.prepare ?? []) {
      if (!m.postings.some((q) => q.key === step.mail)) throw new Error(`manifest: ${p.key} prepares with ${step.mail}, which is not a posting`);
    }
  }
  return m;
}

export function mailPath(key: string): string {
  return resolve(CACHE, `${key}.eml`);
}
