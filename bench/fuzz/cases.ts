// The case generator: case i of seed S is a function of (S, i) alone. A case
// is one command line run in a fresh directory holding its files; some carry
// the bad input they must name, some a baseline run for the loss check.
import type { Corpus, Text } from './corpus.js';
import { damageC, damageConfig, damageMail } from './damage.js';
import { Rng } from './rng.js';
import { commandOf, GLOBAL_OPTIONS } from '../../src/cli/usage.js';
import type { OptionName } from '../../src/cli/options.js';

/** What a case's directory holds at one path. */
export type FileSpec =
  | { path: string; kind: 'file'; data: Buffer; mode?: number }
  | { path: string; kind: 'fifo' | 'socket' | 'dir' | 'eio' | 'loop' | 'devzero' | 'huge' }
  | { path: string; kind: 'repo' | 'tree' | 'inbox' | 'inbox-damaged' };

export type SpecialKind = 'fifo' | 'socket' | 'dir' | 'eio' | 'loop' | 'devzero' | 'huge' | 'missing' | 'unreadable';
export const SPECIALS: readonly SpecialKind[] = ['fifo', 'socket', 'dir', 'eio', 'loop', 'devzero', 'huge', 'missing', 'unreadable'];

export interface Case {
  id: number;
  command: string;
  /** The input kind: `special:fifo`, `mail:hunk-start`, `option:unknown`... */
  kind: string;
  argv: string[];
  files: FileSpec[];
  stdin?: { kind: 'data'; data: Buffer } | { kind: 'devzero' };
  /** `bad`: a bad input, to be named on stderr (any of `names`); `any`: only no crash or hang. */
  expect: 'bad' | 'any';
  names?: string[];
  /** Damaged inputs: exit 2 naming one of them is a refusal that names a bad input too. */
  damaged?: string[];
  /** --format json/sarif/b4: stdout must be one JSON document; rdjsonl: JSON lines. */
  machine?: 'json' | 'jsonl';
  /** The loss check: the good input's findings alone (baseline argv, same files), keyed for a cache. */
  loss?: { argv: string[]; key: string };
}

export const COMMANDS = ['check', 'inventory', 'rules', 'explain', 'patch', 'checklist', 'git', 'watch', 'hook', 'model', 'kbuild'] as const;
/** Of 100 cases, how many each command gets: the file readers most. */
const WEIGHTS: Record<(typeof COMMANDS)[number], number> = { check: 20, inventory: 7, rules: 4, explain: 3, patch: 22, checklist: 16, git: 6, watch: 6, hook: 4, model: 5, kbuild: 7 };

const RULE_IDS = ['finish-leak-on-false', 'read-begin-result-unused', 'lock-held-at-return'];

const file = (path: string, data: Buffer | string, mode?: number): FileSpec => ({ path, kind: 'file', data: typeof data === 'string' ? Buffer.from(data, 'latin1') : data, ...(mode === undefined ? {} : { mode }) });

/** A special input at `path`: the spec (none for missing) and whether it is bad (an unreadable file read by root is not). */
function special(kind: SpecialKind, path: string, content: Buffer, root: boolean): { files: FileSpec[]; bad: boolean } {
  if (kind === 'missing') return { files: [], bad: true };
  if (kind === 'unreadable') return { files: [file(path, content, 0)], bad: !root };
  return { files: [{ path, kind }], bad: true };
}

class Gen {
  files: FileSpec[] = [];
  names: string[] = [];
  damaged: string[] = [];
  bad = false;
  kinds: string[] = [];
  constructor(
    readonly rng: Rng,
    readonly corpus: Corpus,
    readonly root: boolean,
  ) {}
  add(f: FileSpec): string {
    this.files.push(f);
    return f.path;
  }
  /** A special file at `path`, marked as the case's bad input. */
  special(path: string, content: Buffer = Buffer.from('int x;\n'), kinds: readonly SpecialKind[] = SPECIALS, dirOk = false, inScan = false): string {
    const k = this.rng.pick(kinds);
    const s = special(k, path, content, this.root);
    this.files.push(...s.files);
    // a directory scan reads only its .c files (README, check): another name is not an input
    if (s.bad && !(dirOk && k === 'dir') && (!inScan || path.endsWith('.c'))) this.badName(path);
    this.kinds.push(`special:${k}`);
    return path;
  }
  badName(...names: string[]): void {
    this.bad = true;
    this.names.push(...names);
  }
  cText(): Text {
    return this.rng.chance(0.5) && this.corpus.drivers.length ? this.rng.pick(this.corpus.drivers) : this.rng.pick(this.corpus.goodC);
  }
  mutatedC(path: string): string {
    const src = this.cText();
    const d = damageC(this.rng, src.text);
    this.kinds.push(d.how);
    this.damaged.push(path);
    // empty, binary and UTF-16 text are not C: check names them
    if (/c:(binary|utf16)$/.test(d.how)) this.badName(path);
    return this.add(file(path, d.data));
  }
  mutatedDriver(path: string): string {
    const d = damageC(this.rng, this.rng.pick(this.corpus.drivers).text);
    this.kinds.push(d.how);
    this.damaged.push(path);
    if (/c:(binary|utf16)$/.test(d.how)) this.badName(path);
    return this.add(file(path, d.data));
  }
  patchText(): Text {
    return this.rng.chance(0.35) ? this.rng.pick(this.corpus.goodPatches) : this.rng.pick(this.corpus.patches);
  }
  damagedMail(path: string, markBad = false, from?: readonly Text[]): string {
    const src = from ? this.rng.pick(from) : this.patchText();
    const d = damageMail(this.rng, src.text);
    this.kinds.push(d.how);
    this.damaged.push(path);
    if (markBad) this.badName(path);
    return this.add(file(path, d.data));
  }
  config(): string[] {
    const d = damageConfig(this.rng);
    const bad = !/config:(bom)$/.test(d.how);
    if (this.rng.chance(0.3)) {
      // discovered in the current directory, or a special file there
      if (this.rng.chance(0.3)) {
        this.special('.mnlint.json', d.data, ['fifo', 'devzero', 'dir', 'eio', 'loop', 'socket']);
        this.kinds.push('config:discovered');
        return [];
      }
      this.add(file('.mnlint.json', d.data));
      this.kinds.push(d.how, 'config:discovered');
      if (bad) this.badName('.mnlint.json');
      return [];
    }
    if (this.rng.chance(0.25)) {
      this.special('cfg.json', d.data);
      // an unreadable file is read all the same by root: then its text is what is bad
      if (bad) this.badName('cfg.json');
      return ['--config', 'cfg.json'];
    }
    this.add(file('cfg.json', d.data));
    this.kinds.push(d.how);
    if (bad) this.badName('cfg.json');
    return ['--config', 'cfg.json'];
  }
}

/** Option abuse shared by every command: [argv, kind, bad names (none: not bad)]. */
function optionAbuse(rng: Rng, command: string): [string[], string, string[] | null] {
  const takesFormat = ['check', 'inventory', 'rules', 'patch', 'git', 'checklist', 'model'].includes(command);
  const all: Array<[string[], string, string[] | null]> = [
    [['--bogus'], 'option:unknown', ['bogus']],
    [['-x'], 'option:unknown-short', ['-x']],
    [['--format=bogus'], 'option:format-bad', ['bogus']],
    [['--format', ''], 'option:format-empty', ['format']],
    [['--jobs', rng.pick(['abc', '0', '-1', '1.5', '', '1e999'])], 'option:jobs-bad', ['jobs']],
    [['--fail-on', rng.pick(['panic', '', 'ERROR'])], 'option:fail-on-bad', ['fail-on']],
    [['--kernel', rng.pick(['6.', '9.9', '', 'x', '3.0'])], 'option:kernel-bad', ['kernel']],
    [['--api', rng.pick(['bogus', ''])], 'option:api-bad', ['api']],
    [['--filter', rng.pick(['bogus', ''])], 'option:filter-bad', ['filter']],
    [['--rule', rng.pick(['no-such-rule', ''])], 'option:rule-bad', ['rule']],
    [['--sarif-root'], 'option:missing-value', ['sarif-root']],
    [['--levels=yes'], 'option:boolean-value', ['levels']],
    [['--quiet', '--quiet', '-q'], 'option:repeated-bool', null],
    [takesFormat ? ['--format', 'json', '--format', command === 'checklist' ? 'markdown' : 'text'] : ['-q'], 'option:repeated-value', null],
    [['--rule', RULE_IDS[0] as string, '--rule', RULE_IDS[0] as string], 'option:repeated-rule', null],
    [['--'], 'option:double-dash', null],
    [[''], 'option:empty-positional', ['an empty argument']],
    [['--jobs', '2'], 'option:jobs-ok', null],
    [['--no-cache'], 'option:no-cache', null],
    [['-h'], 'option:help', null],
    [['--version'], 'option:version', null],
    [['--survey'], 'option:survey', null],
    [['--levels'], 'option:levels', null],
    [['--hunks-only'], 'option:hunks-only', null],
    [['--output-dir', 'outdir'], 'option:output-dir', null],
  ];
  const [argv, kind, names] = rng.pick(all);
  // an option the command does not take is bad input too (the command table says which)
  const spec = commandOf(command);
  const foreign = argv
    .filter((a) => a.startsWith('--') && a.length > 2)
    .map((a) => a.slice(2).replace(/=.*/, ''))
    .filter((o) => spec && !spec.options.includes(o as OptionName) && !GLOBAL_OPTIONS.includes(o as OptionName));
  if (argv.includes('-q') && spec && !spec.options.includes('quiet')) foreign.push('quiet');
  return foreign.length ? [argv, kind, [...(names ?? []), ...foreign]] : [argv, kind, names];
}

/** Options a command does not take, with a valid value: a usage error naming the option (issue 23 item 4). */
const FOREIGN: Record<string, string[][]> = {
  rules: [
    ['--jobs', '2'],
    ['--tree', '.'],
    ['--fail-on', 'warning'],
    ['--kernel', '6.12'],
  ],
  explain: [
    ['--jobs', '2'],
    ['--format', 'json'],
    ['--filter', 'new'],
  ],
  inventory: [
    ['--filter', 'new'],
    ['--tree', '.'],
    ['--previous', 'x'],
  ],
  model: [
    ['--filter', 'new'],
    ['--fail-on', 'warning'],
    ['--outbox', 'x'],
  ],
  check: [
    ['--filter', 'new'],
    ['--outbox', 'x'],
    ['--previous', 'x'],
  ],
  patch: [['--previous', 'x'], ['--outbox', 'x'], ['--survey']],
  checklist: [['--outbox', 'x'], ['--survey'], ['--levels']],
  git: [['--outbox', 'x'], ['--survey'], ['--previous', 'x']],
  watch: [['--survey'], ['--previous', 'x'], ['--levels']],
  hook: [['--format', 'json'], ['--survey'], ['--jobs', '2']],
};

function formatOf(rng: Rng, formats: readonly string[]): { argv: string[]; machine?: 'json' | 'jsonl' } {
  const f = rng.pick(formats);
  if (f === 'text' && rng.chance(0.5)) return { argv: [] };
  const machine = f === 'json' || f === 'sarif' || f === 'b4' ? 'json' : f === 'rdjsonl' ? 'jsonl' : undefined;
  return { argv: ['--format', f], ...(machine ? { machine } : {}) };
}

const RANGES_GOOD = ['HEAD~1..HEAD', 'HEAD', 'HEAD~2..HEAD'];
const RANGES_BAD = ['nonexistent..HEAD', '..', '...', 'HEAD~999', 'HEAD^{tree}', '--', 'a..b..c', ':/no such message', '$(true)', 'HEAD..nonexistent'];

export function generate(seed: number, id: number, corpus: Corpus, opts: { root: boolean }): Case {
  const rng = Rng.forCase(seed, id);
  const total = Object.values(WEIGHTS).reduce((a, b) => a + b, 0);
  let r = rng.int(total);
  let command: (typeof COMMANDS)[number] = 'check';
  for (const c of COMMANDS) {
    r -= WEIGHTS[c];
    if (r < 0) {
      command = c;
      break;
    }
  }
  const g = new Gen(rng, corpus, opts.root);
  const c = build(command, g);
  return { id, command, kind: g.kinds.join('+') || 'plain', files: g.files, expect: g.bad ? 'bad' : 'any', ...(g.bad ? { names: g.names } : {}), ...(g.damaged.length ? { damaged: g.damaged } : {}), ...c };
}

type Built = Pick<Case, 'argv'> & Partial<Pick<Case, 'machine' | 'loss' | 'stdin'>>;

function withAbuse(g: Gen, command: string, base: string[]): string[] {
  const roll = g.rng.int(10);
  if (roll < 2) {
    const [argv, kind, names] = optionAbuse(g.rng, command);
    g.kinds.push(kind);
    if (names) g.badName(...names);
    // options after `--` would be arguments: they go before it
    const dd = base.indexOf('--');
    return dd < 0 ? [...base, ...argv] : [...base.slice(0, dd), ...argv, ...base.slice(dd)];
  }
  if (roll === 2 && FOREIGN[command]) {
    const argv = g.rng.pick(FOREIGN[command] as string[][]);
    g.kinds.push('option:foreign');
    g.badName(argv[0] as string, (argv[0] as string).replace(/^--/, ''));
    const dd = base.indexOf('--');
    return dd < 0 ? [...base, ...argv] : [...base.slice(0, dd), ...argv, ...base.slice(dd)];
  }
  return base;
}

function build(command: (typeof COMMANDS)[number], g: Gen): Built {
  const rng = g.rng;
  switch (command) {
    case 'check':
    case 'inventory':
    case 'model': {
      const head = command === 'model' ? ['model', 'explore'] : [command];
      const formats = command === 'check' ? ['text', 'terse', 'json', 'sarif', 'rdjsonl', 'html'] : ['text', 'json'];
      const fmt = formatOf(rng, formats);
      const roll = rng.int(10);
      let inputs: string[];
      if (roll < 4) inputs = [g.mutatedC(`in${rng.int(3)}.c`)];
      else if (roll < 6) inputs = [g.special(rng.pick(['in.c', 'in.h', 'dir.c', 'in']), undefined, undefined, true)];
      else if (roll < 8 && command !== 'model') {
        // loss: a good file beside a bad one, against the good file alone (JSON)
        const good = rng.pick(g.corpus.goodC);
        g.add(file(`good/${good.name}`, good.text));
        // the bad one a special file or a damaged 6.12 driver (never a copy of the good one's functions)
        const bad = rng.chance(0.6) || !g.corpus.drivers.length ? g.special(rng.pick(['bad.c', 'bad.h']), undefined, undefined, true) : g.mutatedDriver('bad.c');
        inputs = rng.chance(0.5) ? [`good/${good.name}`, bad] : [bad, `good/${good.name}`];
        if (command === 'check') {
          g.kinds.push('loss');
          return { argv: ['check', '--format', 'json', ...inputs], machine: 'json', loss: { argv: ['check', '--format', 'json', `good/${good.name}`], key: `check:${good.name}` } };
        }
      } else if (roll < 9) {
        // a directory holding a bad file among good ones
        const good = rng.pick(g.corpus.goodC);
        g.add(file(`tree/drivers/good.c`, good.text));
        if (rng.chance(0.5)) g.special(`tree/drivers/${rng.pick(['bad.c', 'sub', 'bad.h'])}`, Buffer.from('int x;\n'), ['fifo', 'socket', 'eio', 'loop', 'devzero', 'unreadable', 'huge'], false, true);
        else g.mutatedC('tree/drivers/bad.c');
        inputs = ['tree'];
        g.kinds.push('dir-scan');
      } else inputs = [g.add(file('ok.c', rng.pick(g.corpus.goodC).text))];
      const config = command === 'check' && rng.chance(0.15) ? g.config() : [];
      return { argv: withAbuse(g, command, [...head, ...fmt.argv, ...config, ...inputs]), ...(fmt.machine ? { machine: fmt.machine } : {}) };
    }
    case 'rules': {
      const fmt = formatOf(rng, ['text', 'json', 'bogus']);
      if (fmt.argv[1] === 'bogus') g.badName('bogus');
      const extra = rng.chance(0.3) ? [rng.pick(['extra', '--levels', 'finish-leak-on-false'])] : [];
      return { argv: withAbuse(g, command, ['rules', ...fmt.argv, ...extra]), ...(fmt.machine ? { machine: fmt.machine } : {}) };
    }
    case 'explain': {
      const roll = rng.int(6);
      const args = [[rng.pick(RULE_IDS)], ['no-such-rule'], [], ['', ''], [RULE_IDS[0] as string, RULE_IDS[1] as string], ['../../etc/passwd']][roll] as string[];
      if (roll === 1 || roll === 5) g.badName(args[0] as string);
      if (roll === 3) g.badName('explain');
      if (roll === 2 || roll === 4) g.badName('explain');
      g.kinds.push(`explain:${roll}`);
      return { argv: withAbuse(g, command, ['explain', ...args]) };
    }
    case 'patch': {
      const fmt = formatOf(rng, ['text', 'terse', 'json', 'sarif', 'rdjsonl', 'checkpatch', 'email']);
      const roll = rng.int(12);
      const extra: string[] = [];
      let inputs: string[];
      let stdin: Case['stdin'];
      if (roll < 4) inputs = [g.damagedMail(rng.pick(['in.patch', 'in.mbox', 'in.eml']))];
      else if (roll < 6) inputs = [g.special(rng.pick(['in.patch', 'in.mbox', 'in']))];
      else if (roll < 8) {
        // loss: a good patch beside a bad input, or after a damaged mail in one mbox
        const good = rng.pick(g.corpus.goodPatches);
        g.add(file('good.patch', good.text));
        g.kinds.push('loss');
        if (rng.chance(0.5)) {
          const d = damageMail(rng, rng.pick(g.corpus.patches).text);
          g.kinds.push(d.how, 'mbox');
          g.add(file('series.mbox', Buffer.concat([d.data, Buffer.from('\n'), Buffer.from(good.text, 'latin1')])));
          inputs = ['series.mbox'];
        } else {
          const bad = rng.chance(0.5) ? g.special('bad.patch') : g.damagedMail('bad.patch', false, g.corpus.patches);
          inputs = rng.chance(0.5) ? ['good.patch', bad] : [bad, 'good.patch'];
        }
        return { argv: ['patch', '--format', 'json', ...inputs], machine: 'json', loss: { argv: ['patch', '--format', 'json', 'good.patch'], key: `patch:${good.name}` } };
      } else if (roll < 9) {
        // --tree: the small template tree, or a special one
        inputs = [rng.chance(0.5) ? g.damagedMail('in.patch') : g.add(file('in.patch', modifyMail(rng, g.corpus)))];
        if (rng.chance(0.7)) extra.push('--tree', g.add({ path: 'tree', kind: 'tree' }));
        else extra.push('--tree', g.special('tree'));
      } else if (roll < 10) {
        // standard input
        inputs = ['-'];
        stdin = rng.chance(0.2) ? { kind: 'devzero' } : { kind: 'data', data: damageMail(rng, g.patchText().text).data };
        g.kinds.push(stdin.kind === 'devzero' ? 'stdin:devzero' : 'stdin:mail');
        if (stdin.kind === 'devzero') g.badName('-', 'standard input', 'stdin');
      } else if (roll < 11) {
        inputs = [g.add(file('in.patch', g.patchText().text))];
        extra.push('--repo', rng.chance(0.5) ? g.add({ path: 'repo', kind: 'repo' }) : g.special('repo'));
      } else {
        inputs = [g.add(file('in.patch', g.patchText().text))];
        extra.push(...g.config());
        if (fmt.argv[1] === 'email' && rng.chance(0.5)) extra.push('--output-dir', g.special('outdir', Buffer.from('x'), ['fifo', 'devzero', 'loop', 'socket']));
      }
      return { argv: withAbuse(g, command, ['patch', ...fmt.argv, ...extra, ...inputs]), ...(fmt.machine ? { machine: fmt.machine } : {}), ...(stdin ? { stdin } : {}) };
    }
    case 'checklist': {
      const fmt = formatOf(rng, ['markdown', 'json', 'b4', 'json', 'b4']);
      const roll = rng.int(10);
      const extra: string[] = [];
      let arg: string;
      if (roll < 4) arg = g.damagedMail(rng.pick(['in.mbox', 'in.patch']));
      else if (roll < 6) arg = g.special(rng.pick(['in.mbox', 'in']));
      else if (roll < 7) {
        g.add({ path: 'repo', kind: 'repo' });
        extra.push('--repo', 'repo');
        const bad = rng.chance(0.6);
        arg = rng.pick(bad ? RANGES_BAD : RANGES_GOOD);
        g.kinds.push(bad ? 'range:bad' : 'range:good');
        // `--` ends the options: no range is given at all
        if (bad) g.badName(arg === '--' ? 'none given' : arg);
      } else if (roll < 8) {
        arg = g.add(file('in.mbox', g.patchText().text));
        extra.push('--previous', g.special('prev.mbox'));
      } else if (roll < 9) {
        arg = g.add(file('in.mbox', g.patchText().text));
        extra.push('--repo', g.special('repo'));
      } else {
        arg = g.add(file('in.mbox', g.patchText().text));
        extra.push(...g.config());
        if (rng.chance(0.3)) {
          extra.push('--');
          g.kinds.push('double-dash');
        }
      }
      return { argv: withAbuse(g, command, ['checklist', ...fmt.argv, ...extra, arg]), ...(fmt.machine ? { machine: fmt.machine } : {}) };
    }
    case 'git': {
      const fmt = formatOf(rng, ['text', 'json', 'sarif', 'rdjsonl', 'email']);
      const extra: string[] = [];
      const roll = rng.int(5);
      let range = rng.pick(RANGES_GOOD);
      if (roll < 2) {
        extra.push('--repo', g.add({ path: 'repo', kind: 'repo' }));
        if (roll === 1) {
          range = rng.pick(RANGES_BAD);
          g.kinds.push('range:bad');
          g.badName(range === '--' ? 'none given' : range);
        } else g.kinds.push('range:good');
      } else if (roll < 3) extra.push('--repo', g.special('repo'));
      else if (roll < 4) {
        extra.push('--repo', g.add({ path: 'repo', kind: 'repo' }), ...g.config());
      } else {
        g.kinds.push('git:not-a-repo');
        g.badName('.', 'repository', 'git');
      }
      return { argv: withAbuse(g, command, ['git', ...fmt.argv, ...extra, range]), ...(fmt.machine ? { machine: fmt.machine } : {}) };
    }
    case 'watch': {
      const roll = rng.int(7);
      let inbox = 'inbox';
      const extra: string[] = [];
      if (roll < 2) g.add({ path: 'inbox', kind: rng.chance(0.5) ? 'inbox' : 'inbox-damaged' });
      else if (roll < 3) {
        g.add({ path: 'inbox/git', kind: 'dir' });
        g.kinds.push('inbox:empty-git');
      } else if (roll < 4) {
        g.add(file('inbox/git/0.git', 'not a repository'));
        g.kinds.push('inbox:epoch-file');
        g.badName('inbox');
      } else if (roll < 5) inbox = g.special('inbox');
      else if (roll < 6) {
        g.add({ path: 'inbox', kind: 'inbox' });
        const s = damageConfig(rng);
        if (rng.chance(0.5))
          extra.push(
            '--state',
            g.special(
              'state.json',
              undefined,
              SPECIALS.filter((k) => k !== 'missing'),
            ) /* no state file yet is the first run */,
          );
        else {
          extra.push('--state', g.add(file('state.json', s.data)));
          g.kinds.push(`state:${s.how}`);
          g.badName('state.json');
        }
      } else {
        g.add({ path: 'inbox', kind: 'inbox' });
        extra.push('--outbox', g.special('out', Buffer.from('x'), ['fifo', 'devzero', 'loop', 'socket', 'eio']));
      }
      const drop = rng.chance(0.1) ? rng.pick(['--public-inbox', '--outbox']) : '';
      if (drop) {
        g.badName(drop.slice(2));
        g.kinds.push(`watch:no${drop}`);
      }
      const outbox = extra.includes('--outbox') ? [] : ['--outbox', 'out'];
      const argv = ['watch', ...(drop === '--public-inbox' ? [] : ['--public-inbox', inbox]), ...outbox, ...extra];
      if (drop === '--outbox') argv.splice(argv.indexOf('--outbox'), 2);
      return { argv: withAbuse(g, command, argv) };
    }
    case 'hook': {
      const roll = rng.int(5);
      if (roll < 2) return { argv: withAbuse(g, command, ['hook', 'install', '--repo', g.add({ path: 'repo', kind: 'repo' })]) };
      if (roll < 3) return { argv: withAbuse(g, command, ['hook', 'install', '--repo', g.special('repo')]) };
      if (roll < 4) {
        const args = rng.pick([[], ['uninstall'], ['install', 'extra'], ['']]);
        g.badName('hook');
        g.kinds.push('hook:args');
        return { argv: ['hook', ...args] };
      }
      g.kinds.push('hook:not-a-repo');
      g.badName('.', 'repository', 'git');
      return { argv: ['hook', 'install'] };
    }
    case 'kbuild': {
      const roll = rng.int(6);
      const flags = rng.pick([[], ['-D__KERNEL__', '-DCONFIG_MMU_NOTIFIER=1'], ['-Iinclude', '-U', 'X'], ['-include'], ['-D'], ['-Wall', '-O2', '-fno-strict-aliasing'], ['--fail-on', 'warning'], ['--fail-on', 'panic']]);
      if (flags[0] === '--fail-on' && flags[1] === 'panic') g.badName('fail-on', 'panic');
      let input: string;
      if (roll < 3) input = g.mutatedC('drv.c');
      else if (roll < 4) input = g.special('drv.c');
      else if (roll < 5) {
        input = g.add(file('drv.c', rng.pick(g.corpus.goodC).text));
        // after a flag that takes a value, `-include` is that value, a file named so
        if (['-include', '-D'].includes(flags.at(-1) as string)) g.badName(`${flags.at(-1)} -include`);
        flags.push('-include', g.special('auto.h'));
      } else {
        input = '';
        g.kinds.push('kbuild:no-file');
      }
      // a flag that takes a value as the last one takes the file: there is no source file
      if (input && ['-include', '-D'].includes(flags.at(-1) as string)) g.badName('no source file');
      g.kinds.push(`kbuild:${flags.join(' ') || 'noflags'}`);
      return { argv: ['kbuild', ...flags, ...(input ? [input] : [])] };
    }
  }
}

/** A mail changing one line of the template tree's drivers/misc/drv.c (the first rule fixture). */
export function modifyMail(rng: Rng, corpus: Corpus): string {
  const text = (corpus.goodC[0] as Text).text;
  const ls = text.split('\n');
  const k = 3 + rng.int(Math.max(1, ls.length - 8));
  const ctx = ls.slice(k - 3, k + 3);
  const body = [...ctx.slice(0, 3).map((l) => ` ${l}`), `+\t/* fuzz ${k} */`, ...ctx.slice(3).map((l) => ` ${l}`)];
  return [
    'From 2222222222222222222222222222222222222222 Mon Sep 17 00:00:00 2001',
    'From: Ann Dev <ann@example.org>',
    'Date: Mon, 1 Dec 2025 10:00:00 +0000',
    'Subject: [PATCH] drv: a comment',
    '',
    '---',
    'diff --git a/drivers/misc/drv.c b/drivers/misc/drv.c',
    '--- a/drivers/misc/drv.c',
    '+++ b/drivers/misc/drv.c',
    `@@ -${k - 2},6 +${k - 2},7 @@`,
    ...body,
    '-- ',
    '2.40.0',
    '',
  ].join('\n');
}

export const describe = (c: Case): string => `${c.id} ${c.command} ${c.kind}: ${c.argv.map((a) => (a === '' || /[^\w./=:+-]/.test(a) ? `'${a.replace(/'/g, `'\\''`)}'` : a)).join(' ')}`;
