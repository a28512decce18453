// The configuration file (`--config FILE`, the Action's `config` input): JSON,
// validated with zod. Rules can be turned off or given another severity, paths
// excluded, and the kernel version fixed.
//   { "kernel": "6.12", "rules": { "migrate-without-owner-skip": "off" }, "exclude": ["drivers/staging/"] }
import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
// the English messages alone: `z.locales` would bundle every language
import en from 'zod/v4/locales/en.js';

export class ConfigError extends Error {}

// zod/mini ships without messages; the user reads these
z.config(en());

const Level = z.enum(['off', 'error', 'warning', 'info']);

const ConfigSchema = z.strictObject({
  $schema: z.optional(z.string()),
  kernel: z.optional(z.string().check(z.regex(/^\d+\.\d+/, 'a kernel version like 6.12'))),
  rules: z.optional(z.record(z.string(), Level)),
  /** path prefixes, relative to the scanned tree */
  exclude: z.optional(z.array(z.string().check(z.minLength(1)))),
  /** `mnlint watch`: per-list settings */
  watch: z.optional(
    z.strictObject({
      /** review, but write no replies */
      mute: z.optional(z.boolean()),
      /** replies only for findings at or above this severity */
      minSeverity: z.optional(z.enum(['error', 'warning', 'info'])),
      /** only series touching a file under one of these path prefixes */
      paths: z.optional(z.array(z.string().check(z.minLength(1)))),
    }),
  ),
});

export interface WatchSettings {
  mute: boolean;
  minSeverity: 'error' | 'warning' | 'info';
  paths: readonly string[];
}

export interface Config {
  kernel: string | null;
  watch: WatchSettings;
  rules: ReadonlyMap<string, z.infer<typeof Level>>;
  exclude: readonly string[];
}

const WATCH_DEFAULTS: WatchSettings = { mute: false, minSeverity: 'info', paths: [] };
export const NO_CONFIG: Config = { kernel: null, watch: WATCH_DEFAULTS, rules: new Map(), exclude: [] };

/** The file's settings, checked for shape; rule ids are checked against the registry by the engine's loadConfig. */
export function readConfig(path: string): Config {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ConfigError(`${path}: ${err.code === 'ENOENT' ? 'no such file' : err instanceof SyntaxError ? `not JSON (${err.message})` : err.message}`);
  }
  const parsed = ConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${path}: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
  }
  const w = parsed.data.watch ?? {};
  const watch: WatchSettings = { mute: w.mute ?? WATCH_DEFAULTS.mute, minSeverity: w.minSeverity ?? WATCH_DEFAULTS.minSeverity, paths: w.paths ?? WATCH_DEFAULTS.paths };
  return { kernel: parsed.data.kernel ?? null, watch, rules: new Map(Object.entries(parsed.data.rules ?? {})), exclude: parsed.data.exclude ?? [] };
}
