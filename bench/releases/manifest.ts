// The release sweep's manifest (bench/releases/manifest.json), read through
// zod: which snapshot of which public repository gives each release's tree.
// Run on its own it prints one tab-separated line a fetched release for
// build-cache.sh: version, mirror git dir, commit, subdir (or -), Makefile
// version, the fetch to run.
//   npx tsx bench/releases/manifest.ts [versions...]
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as z from 'zod/mini';

const version = z.string().check(z.regex(/^\d+\.\d+$/));
const makefile = z.string().check(z.regex(/^\d+\.\d+(\.\d+)?$/));

const GithubRelease = z.object({
  version,
  source: z.literal('github'),
  repo: z.string().check(z.regex(/^[\w.-]+\/[\w.-]+$/)),
  commit: z.string().check(z.regex(/^[0-9a-f]{40}$/)),
  subdir: z.optional(z.string()),
  makefile,
  notes: z.string(),
});

const DebianRelease = z.object({
  version,
  source: z.literal('debian'),
  path: z.string(),
  makefile,
  notes: z.string(),
});

export const ManifestSchema = z.object({
  mirror: z.string(),
  releases: z.array(z.discriminatedUnion('source', [GithubRelease, DebianRelease])),
});

/** Trees only bench/history.ts reads (an rc, a release the sweep does not cover): no source field, always fetched. */
const ExtraRelease = z.object({
  version: z.string().check(z.regex(/^\d+\.\d+(-rc\d+)?$/)),
  repo: z.string().check(z.regex(/^[\w.-]+\/[\w.-]+$/)),
  commit: z.string().check(z.regex(/^[0-9a-f]{40}$/)),
  makefile: z.string().check(z.regex(/^\d+\.\d+\.\d+(-rc\d+)?$/)),
  excluded: z.optional(z.string()),
  notes: z.string(),
});

export const ExtraManifestSchema = z.object({ about: z.string(), releases: z.array(ExtraRelease) });

export type Manifest = z.infer<typeof ManifestSchema>;
export type ExtraManifest = z.infer<typeof ExtraManifestSchema>;
export type Release = Manifest['releases'][number];

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export function loadManifest(file = resolve(import.meta.dirname, 'manifest.json')): Manifest {
  return ManifestSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function loadExtraManifest(file = resolve(import.meta.dirname, 'extra-manifest.json')): ExtraManifest {
  return ExtraManifestSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** the mirror of a fetched release: $MNLINT_MIRROR or the manifest's, then owner+name/repo (a bare repository, or a checkout's .git) */
export function mirrorDir(m: Manifest, repo: string): string {
  const dir = resolve(process.env.MNLINT_MIRROR ?? m.mirror, repo.replace('/', '+'), 'repo');
  return existsSync(join(dir, '.git')) ? join(dir, '.git') : dir;
}

/** where a release's full source tree lives: the release cache, or the Debian tree */
export function releaseTree(r: Release): string {
  if (r.source === 'debian') return resolve(REPO_ROOT, r.path);
  return resolve(process.env.MNLINT_RELEASE_CACHE ?? resolve(REPO_ROOT, '.cache', 'releases'), r.version);
}

/** numeric order of major.minor */
export function compareVersions(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const m = loadManifest();
  const extra = loadExtraManifest();
  const wanted = process.argv.slice(2);
  for (const w of wanted) {
    if (!m.releases.some((r) => r.version === w) && !extra.releases.some((r) => r.version === w)) {
      console.error(`manifest.ts: no release ${w} in bench/releases/manifest.json or extra-manifest.json`);
      process.exit(2);
    }
  }
  const fetched = [...m.releases.flatMap((r) => (r.source === 'github' ? [r] : [])), ...extra.releases];
  for (const r of fetched) {
    if (wanted.length > 0 && !wanted.includes(r.version)) continue;
    console.log([r.version, mirrorDir(m, r.repo), r.commit, ('subdir' in r ? r.subdir : undefined) ?? '-', r.makefile, `github:${r.repo}`].join('\t'));
  }
}
