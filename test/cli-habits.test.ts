// Command-line habits users bring from git and its kind: `mnlint COMMAND
// --help` (and `mnlint help COMMAND`) print that command's usage only, and an
// unknown command or option names the closest one when one is close enough.
import { describe, expect, test } from 'vitest';
import { GLOBAL_OPTIONS, COMMANDS, type CommandSpec, commandUsage, USAGE } from '../src/cli/usage.js';
import { closest, editDistance } from '../src/cli/suggest.js';
import { runCli } from './helpers.js';

/** The options a usage text lists: the heads of its option lines (`  -q, --quiet ...` as `quiet`). */
function optionHeads(text: string): string[] {
  return [...text.matchAll(/^ {2}(?:-\w, )?--([a-z][a-z-]*)/gm)].map((m) => m[1]!);
}

describe('mnlint COMMAND --help', () => {
  for (const [name, spec] of Object.entries(COMMANDS as Record<string, CommandSpec>)) {
    test(name, () => {
      const r = runCli([name, '--help']);
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toBe(`${commandUsage(name)}\n`);
      expect(r.stdout.startsWith(`usage: mnlint ${name} ${spec.args}`)).toBe(true);
      // its own options, no other command's; none for kbuild, whose flags are the compiler's
      expect(optionHeads(r.stdout)).toEqual(spec.ownArgs ? [] : [...spec.options, ...GLOBAL_OPTIONS]);
      expect(r.stdout).not.toContain('commands:');
      // `mnlint help COMMAND` and `-h` say the same
      expect(runCli(['help', name]).stdout).toBe(r.stdout);
      if (!spec.ownArgs) expect(runCli(['-h', name]).stdout).toBe(r.stdout);
    });
  }

  test("--format lists the command's own formats, the default first", () => {
    expect(commandUsage('checklist')).toMatch(/^ {2}--format FORMAT {7}markdown \(default\), json, b4\n {24}json, b4: a document saying what failed on any failure$/m);
    expect(commandUsage('rules')).toMatch(/^ {2}--format FORMAT {7}text \(default\), json\n/m);
  });

  test("model --help and model explore --help: the explorer; kbuild -h is mnlint's, not the compiler's", () => {
    expect(runCli(['model', 'explore', '--help']).stdout).toBe(`${commandUsage('model')}\n`);
    expect(runCli(['kbuild', '-h']).stdout).toBe(`${commandUsage('kbuild')}\n`);
  });

  test('mnlint --help and mnlint help: every command; help of an unknown command is a usage error', () => {
    expect(runCli(['--help']).stdout).toBe(`${USAGE}\n`);
    expect(runCli(['help']).stdout).toBe(`${USAGE}\n`);
    expect(USAGE).toContain('help [COMMAND]');
    const r = runCli(['help', 'chek']);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', 'mnlint: unknown command chek (did you mean check?)\n']);
    const two = runCli(['help', 'check', 'patch']);
    expect([two.code, two.stderr]).toEqual([2, 'mnlint: help takes one command (given: check patch)\n']);
  });
});

describe('did you mean', () => {
  test('edit distance: a swap of two neighbours is one edit', () => {
    expect(editDistance('chekc', 'check')).toBe(1);
    expect(editDistance('formt', 'format')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  const commands = Object.keys(COMMANDS);
  test('close typos name the one meant', () => {
    expect(closest('chekc', commands)).toEqual(['check']);
    expect(closest('inventroy', commands)).toEqual(['inventory']);
    expect(closest('rule', commands)).toEqual(['rules']);
    expect(closest('exlpain', commands)).toEqual(['explain']);
    expect(closest('pacth', commands)).toEqual(['patch']);
    expect(closest('chck', commands)).toEqual(['check']);
    // a prefix of three characters or more
    expect(closest('inv', commands)).toEqual(['inventory']);
    expect(closest('form', ['format', 'fail-on'])).toEqual(['format']);
  });

  test('far-off words, and one letter, name nothing', () => {
    for (const w of ['frobnicate', 'xyzzy', 'bogus', 'lint', 'scan', 'x', 'q']) expect(closest(w, commands)).toEqual([]);
    expect(closest('bogus', ['format', 'fail-on', 'rule', 'kernel', 'api', 'tree', 'repo'])).toEqual([]);
  });

  test('an unknown command: one line naming it and the closest, exit 2', () => {
    for (const [word, line] of [
      ['chekc', 'mnlint: unknown command chekc (did you mean check?)'],
      ['inventroy', 'mnlint: unknown command inventroy (did you mean inventory?)'],
      ['frobnicate', 'mnlint: unknown command frobnicate (see mnlint --help)'],
    ] as const) {
      const r = runCli([word, 'x.c']);
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `${line}\n`]);
    }
  });

  test("an unknown option: the closest among the command's, then the command's usage", () => {
    const cases: Array<[string[], string]> = [
      [['check', '--formt', 'json', 'x.c'], 'unknown option --formt (did you mean --format?)'],
      [['check', '--fial-on', 'warning', 'x.c'], 'unknown option --fial-on (did you mean --fail-on?)'],
      [['patch', '--tre', 'linux', 'x.patch'], 'unknown option --tre (did you mean --tree?)'],
      [['rules', '--levls'], 'unknown option --levls (did you mean --levels?)'],
      // one dash before a long option's name
      [['check', '-format', 'json', 'x.c'], 'unknown option -format (did you mean --format?)'],
      // an option another command takes: named, `check takes no --tree` follows once it is spelled right
      [['check', '--tre', 'x.c'], 'unknown option --tre (did you mean --tree?)'],
      [['check', '--frobnicate', 'x.c'], 'unknown option --frobnicate (a path starting with - goes after --)'],
      [['check', '-x', 'x.c'], 'unknown option -x (a path starting with - goes after --)'],
    ];
    for (const [args, line] of cases) {
      const r = runCli(args);
      expect([r.code, r.stdout]).toEqual([2, '']);
      const [first, ...after] = r.stderr.split('\n');
      expect(first).toBe(`mnlint: ${line}`);
      expect(after.join('\n')).toBe(`${commandUsage(args[0]!)}\n`);
    }
    // no command: the whole usage follows
    expect(runCli(['--formt', 'json']).stderr).toBe(`mnlint: unknown option --formt (did you mean --format?)\n${USAGE}\n`);
  });

  test('a rule id and a subcommand: the closest too', () => {
    const line = (args: string[]) => {
      const r = runCli(args);
      expect([r.code, r.stdout]).toEqual([2, '']);
      return r.stderr;
    };
    expect(line(['explain', 'sleep-in-atomic'])).toBe('mnlint: explain: no rule sleep-in-atomic (did you mean sleep-in-atomic-callback?)\n');
    expect(line(['check', '--rule', 'sleep-in-non-blockable', 'x.c'])).toBe('mnlint: no rule sleep-in-non-blockable (did you mean sleep-in-non-blockable-range?)\n');
    expect(line(['explain', 'frobnicate'])).toBe('mnlint: explain: no rule frobnicate (see `mnlint rules`)\n');
    expect(line(['model', 'explor'])).toBe('mnlint: model takes a subcommand: model explore [PATH...] (explor: did you mean explore?)\n');
    expect(line(['hook', 'instal'])).toBe('mnlint: hook takes a subcommand: hook install [--repo DIR] (instal: did you mean install?)\n');
    expect(line(['model', 'x.c'])).toBe('mnlint: model takes a subcommand: model explore [PATH...]\n');
  });

  test('a machine format still gets its document, the suggestion in its errors', () => {
    const json = runCli(['check', '--format', 'json', '--fial-on', 'warning', 'x.c']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ findings: [], errors: ['unknown option --fial-on (did you mean --fail-on?)'] });
    const sarif = JSON.parse(runCli(['patch', '--format', 'sarif', '--tre', 'linux', 'x.patch']).stdout);
    expect(sarif.runs[0].invocations[0].toolExecutionNotifications).toEqual([{ level: 'error', message: { text: 'unknown option --tre (did you mean --tree?)' } }]);
    const b4 = JSON.parse(runCli(['checklist', '--format', 'b4', '--previus', 'v1.mbox', 'v2.mbox']).stdout);
    expect(b4[0]).toMatchObject({ status: 'fail', details: 'unknown option --previus (did you mean --previous?)' });
    const cmd = JSON.parse(runCli(['chekc', '--format', 'json']).stdout);
    expect(cmd.errors).toEqual(['unknown command chekc (did you mean check?)']);
  });
});
