// Checks the traffic bench's mail cache (.cache/traffic/<key>.eml, git-ignored)
// against bench/traffic/manifest.json: every posting's mail present and with
// the manifest's sha256. The mails come from stored list archives that only
// the agent tools reach (`read_file id=<readFileId>` returns the raw message),
// not a script or CI, so this script cannot download them: it says which are
// missing or changed and how to get each one.
//   npx tsx bench/traffic/fetch-mails.ts [--from-raw] [--write-sums]
// --from-raw first writes <key>.eml from .cache/traffic/raw/<key>.json: the
// stored text as read_file returns it (a JSON string), kept as the agent saved it.
// --write-sums records the sha256 of the mails present (after adding a posting).
// Exit 0 when the cache is complete, 2 otherwise.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CACHE, loadTrafficManifest, mailPath } from './manifest.js';

const write = process.argv.includes('--write-sums');
const m = loadTrafficManifest();
if (process.argv.includes('--from-raw')) {
  for (const p of m.postings) {
    const raw = resolve(CACHE, 'raw', `${p.key}.json`);
    if (!existsSync(raw)) continue;
    const text: unknown = JSON.parse(readFileSync(raw, 'utf8'));
    if (typeof text !== 'string') throw new Error(`fetch-mails: ${raw} is not a JSON string`);
    writeFileSync(mailPath(p.key), text);
  }
}
const missing: string[] = [];
const changed: string[] = [];
for (const p of m.postings) {
  const file = mailPath(p.key);
  if (!existsSync(file)) {
    missing.push(p.key);
    continue;
  }
  const sum = createHash('sha256').update(readFileSync(file)).digest('hex');
  if (sum === p.sha256) continue;
  if (write) p.sha256 = sum;
  else changed.push(`${p.key} (sha256 ${sum.slice(0, 12)}, manifest ${p.sha256.slice(0, 12)})`);
}
if (write) {
  writeFileSync(resolve(import.meta.dirname, 'manifest.json'), `${JSON.stringify(m, null, 2)}\n`);
  console.log('fetch-mails: sums written');
}
const ok = m.postings.length - missing.length - changed.length;
console.log(`fetch-mails: ${ok}/${m.postings.length} mails in ${CACHE} match the manifest`);
for (const key of missing) {
  const p = m.postings.find((q) => q.key === key)!;
  console.log(
    `  missing ${key}: ${p.subject}\n    get it with the read_file tool, id=${p.store.readFileId} (${p.store.archive}; ${p.lore}),\n    keep the headers From/To/Subject/Date/Message-ID/In-Reply-To/References/MIME/Content-* and the body from the trailers on,\n    save it as a JSON string in ${resolve(CACHE, 'raw', `${key}.json`)} and run with --from-raw`,
  );
}
for (const c of changed) console.log(`  changed ${c}: not the mail the figures were measured on`);
process.exit(missing.length || changed.length ? 2 : 0);
