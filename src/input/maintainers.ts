// The kernel's MAINTAINERS file, read the way scripts/get_maintainer.pl reads
// file patterns: F:/X: are globs (`dir/` is everything below, `dir/*` only
// that directory's files, a bare directory name counts as `dir/`), N: is a
// regular expression on the path. M: and R: are people, L: lists.
export interface MaintainerEntry {
  name: string;
  files: string[];
  excludes: string[];
  regexes: RegExp[];
  /** M: and R: addresses, lower-cased */
  people: string[];
  /** L: addresses, lower-cased */
  lists: string[];
}

const FIELD = /^([A-Z]):\s*(.*)$/;

export function parseMaintainers(text: string): MaintainerEntry[] {
  const entries: MaintainerEntry[] = [];
  let current: MaintainerEntry | null = null;
  for (const line of text.split('\n')) {
    const m = FIELD.exec(line);
    if (!m) {
      // a section starts with its title line; a blank line ends it
      current = line.trim() && !/^\s/.test(line) ? { name: line.trim(), files: [], excludes: [], regexes: [], people: [], lists: [] } : null;
      if (current) entries.push(current);
      continue;
    }
    if (!current) continue;
    const [, key, value] = m as unknown as [string, string, string];
    const address = /<([^>]+)>/.exec(value)?.[1] ?? value.split(/\s/)[0] ?? '';
    if (key === 'F') current.files.push(value.trim());
    else if (key === 'X') current.excludes.push(value.trim());
    else if (key === 'N') {
      try {
        current.regexes.push(new RegExp(value.trim()));
      } catch {
        // a pattern JavaScript cannot read is skipped, as a typo would be
      }
    } else if (key === 'M' || key === 'R') current.people.push(address.toLowerCase());
    else if (key === 'L') current.lists.push(address.toLowerCase());
  }
  return entries.filter((e) => e.files.length || e.regexes.length);
}

function globMatches(pattern: string, file: string): boolean {
  if (pattern.endsWith('/')) return file.startsWith(pattern) || globRegex(`${pattern}**`).test(file);
  if (!/[*?]/.test(pattern) && file.startsWith(`${pattern}/`)) return true;
  return globRegex(pattern).test(file);
}

function globRegex(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*/g, '\0')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]')
    .replace(/\0/g, '.*');
  return new RegExp(`^${body}$`);
}

/** The entries that cover a file. */
export function entriesFor(entries: readonly MaintainerEntry[], file: string): MaintainerEntry[] {
  return entries.filter((e) => (e.files.some((p) => globMatches(p, file)) || e.regexes.some((r) => r.test(file))) && !e.excludes.some((p) => globMatches(p, file)));
}
