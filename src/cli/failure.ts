// A run that fails before its report (a usage error, a missing input, a bad
// configuration) still prints a document in the machine format asked for, so
// the tools that parse stdout (b4, code scanning, reviewdog, scripts) get one
// that says what failed instead of nothing.
import pkg from '../../package.json' with { type: 'json' };
import { INFORMATION_URI } from '../report/sarif.js';

/** The formats whose stdout a tool parses. */
export const MACHINE_FORMATS: ReadonlySet<string> = new Set(['json', 'sarif', 'rdjsonl', 'b4']);

/** The machine format of a command line, read without trusting it (it may not parse): the last --format given. */
export function machineFormatOf(argv: readonly string[]): string | undefined {
  let format: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--format' && i + 1 < argv.length) format = argv[++i];
    else if (a.startsWith('--format=')) format = a.slice('--format='.length);
    else if (a === '--terse') return undefined;
  }
  return format !== undefined && MACHINE_FORMATS.has(format) ? format : undefined;
}

/** The command of a command line: its first word that is no option (`model explore` as `model`). */
export function commandWordOf(argv: readonly string[], takesValue: (option: string) => boolean): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return argv[i + 1];
    if (a.startsWith('--')) {
      if (!a.includes('=') && takesValue(a.slice(2))) i++;
      continue;
    }
    if (a.startsWith('-') && a !== '-') continue;
    return a;
  }
  return undefined;
}

/**
 * The document of a failed run in `format`, in the shape its consumers read:
 * each command's JSON report with nothing in it and `errors`; SARIF with an
 * invocation that did not succeed; rdjsonl one diagnostic a problem; b4 one
 * failing entry.
 */
export function failureDocument(command: string | undefined, format: string, errors: readonly string[]): string {
  const tool = { tool: 'mnlint', version: pkg.version };
  const said = errors.length ? errors : ['mnlint failed'];
  switch (format) {
    case 'b4':
      return `${JSON.stringify([{ tool: 'mnlint', status: 'fail', summary: 'mnlint could not check the patch', url: null, details: said.join('\n') }])}\n`;
    case 'sarif':
      return `${JSON.stringify(
        {
          $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
          version: '2.1.0',
          runs: [
            {
              tool: { driver: { name: 'mnlint', version: pkg.version, informationUri: INFORMATION_URI, rules: [] } },
              invocations: [{ executionSuccessful: false, toolExecutionNotifications: said.map((text) => ({ level: 'error', message: { text } })) }],
              results: [],
            },
          ],
        },
        null,
        2,
      )}\n`;
    case 'rdjsonl':
      return said.map((message) => `${JSON.stringify({ message, location: { path: '' }, severity: 'ERROR', source: { name: 'mnlint' }, code: { value: 'mnlint-error' } })}\n`).join('');
    default: {
      const empty: Record<string, unknown> =
        command === 'patch' || command === 'git'
          ? { ...tool, partial: false, series: [] }
          : command === 'checklist'
            ? { ...tool, checklists: [] }
            : command === 'inventory'
              ? { tables: [] }
              : command === 'check'
                ? { ...tool, findings: [], stats: { files: 0, parsedFiles: 0, tables: 0, callbacks: 0, parseErrors: 0 } }
                : { ...tool };
      return `${JSON.stringify({ ...empty, errors: said }, null, 2)}\n`;
    }
  }
}
