// Checks the traffic bench's mail cache (.cache/traffic/<key>.eml, git-ignored)
// against bench/traffic/manifest.json: every posting's mail present and with
// the manifest's sha256. The mails come from stored list archives that only
// the agent tools reach (`read_file id=<readFileId>` returns the raw message),
// not a script or CI, so this script cannot download them: it says which are
// missing or changed and how to get each one.
//   npx tsx bench/traffic/fetch-mails.ts [--write-sums]
// --write-sums records the sha256 of the mails present (after adding a posting).
// Exit 0 when the cache is complete, 2 otherwise.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CACHE, loadTrafficManifest, mailPath } from './manifest.js';

const write = process.argv.includes('--write-sums');
const m = loadTrafficManifest();
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
    `  missing ${key}: ${p.subject}\n    get it with the read_file tool, id=${p.store.readFileId} (${p.store.archive}; ${p.lore}),\n    keep the headers From/To/Subject/Date/Message-ID/In-Reply-To/References/MIME/Content-* and the body from the trailers on,\n    write it to ${mailPath(key)}, then check the sum`,
  );
}
for (const c of changed) console.log(`  changed ${c}: not the mail the figures were measured on`);
process.exit(missing.length || changed.length ? 2 : 0);
