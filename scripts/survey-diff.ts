// What changed between two surveys (`mnlint inventory --survey --format json`
// of two trees): users added and removed, and each column that changed, as a
// markdown list for the README.
//   npx tsx scripts/survey-diff.ts OLD.json NEW.json
import { readFileSync } from 'node:fs';
import { type Survey, SurveySchema } from '../src/report/schema.js';

type User = Survey['users'][number];

function load(path: string): Survey {
  try {
    return SurveySchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (e) {
    process.stderr.write(`survey-diff: ${path}: not a survey (${(e as Error).message.split('\n')[0]})\n`);
    process.exit(2);
  }
}

const [oldPath, newPath] = process.argv.slice(2);
if (!oldPath || !newPath) {
  process.stderr.write('usage: survey-diff OLD.json NEW.json\n');
  process.exit(2);
}
const before = load(oldPath);
const after = load(newPath);
// a user is its table in its file (a table that moved files is a removal and an addition)
const key = (u: User): string => `${u.file}\0${u.table}`;
const olds = new Map(before.users.map((u) => [key(u), u]));
const news = new Map(after.users.map((u) => [key(u), u]));
const name = (u: User): string => `\`${u.table}\` (${u.file})`;
const findings = (u: User): string => {
  const f = u.findings;
  return f.error + f.warning + f.info ? `${f.error} E, ${f.warning} W, ${f.info} I (${f.rules.join(', ')})` : 'none';
};
const columns: Array<[string, (u: User) => string]> = [
  ['ops', (u) => u.kind],
  ['callbacks', (u) => u.callbacks.join(', ')],
  ['non-blockable range', (u) => u.nonBlockable],
  ['read side', (u) => (u.readSide ? 'yes' : 'no')],
  ['two-pass', (u) => (u.twoPass ? 'yes' : 'no')],
  ['lifetime', (u) => u.lifetime],
  ['findings', findings],
];

const out = [`From API ${before.api} (${before.users.length} users) to API ${after.api} (${after.users.length} users):`, ''];
for (const [k, u] of news) if (!olds.has(k)) out.push(`- new: ${name(u)}, ${u.kind}, ${u.callbacks.join(', ')}`);
for (const [k, u] of olds) if (!news.has(k)) out.push(`- gone: ${name(u)}`);
for (const [k, u] of news) {
  const o = olds.get(k);
  if (!o) continue;
  const changed = columns.filter(([, get]) => get(o) !== get(u)).map(([col, get]) => `${col} ${get(o)} → ${get(u)}`);
  if (changed.length) out.push(`- ${name(u)}: ${changed.join('; ')}`);
}
if (out.length === 2) out.push('- nothing changed');
process.stdout.write(`${out.join('\n')}\n`);
