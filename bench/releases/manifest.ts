// The release sweep's manifest (bench/releases/manifest.json), read through
// zod: which snapshot of which public repository gives each release's tree.
// Run on its own it prints one tab-separated line a fetched release for
// build-cache.sh: version, mirror git dir, commit, subdir (or -), Makefile
// version, the fetch to run.
//   npx tsx bench/releases/manifest.ts [versions...]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
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

export type Manifest = z.infer<typeof ManifestSchema>;
export type Release = Manifest['releases'][number];

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export function loadManifest(file = resolve(import.meta.dirname, 'manifest.json')): Manifest {
  return ManifestSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** the mirror of a fetched release: $MNLINT_MIRROR or the manifest's, then owner+name/repo */
export function mirrorDir(m: Manifest, repo: string): string {
  return resolve(process.env.MNLINT_MIRROR ?? m.mirror, repo.replace('/', '+'), 'repo');
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
  const wanted = process.argv.slice(2);
  for (const w of wanted) {
    if (!m.releases.some((r) => r.version === w)) {
      console.error(`manifest.ts: no release ${w} in bench/releases/manifest.json`);
      process.exit(2);
    }
  }
  for (const r of m.releases) {
    if (r.source !== 'github' || (wanted.length > 0 && !wanted.includes(r.version))) continue;
    console.log([r.version, mirrorDir(m, r.repo), r.commit, r.subdir ?? '-', r.makefile, `github:${r.repo}`].join('\t'));
  }
}
