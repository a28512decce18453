// The configuration file (`--config FILE`, the Action's `config` input): JSON,
// validated with zod. Rules can be turned off or given another severity, paths
// excluded, and the kernel version fixed.
//   { "kernel": "6.12", "rules": { "migrate-without-owner-skip": "off" }, "exclude": ["drivers/staging/"] }
import * as z from 'zod/mini';
// the English messages alone: `z.locales` would bundle every language
import en from 'zod/v4/locales/en.js';
import { InputError, MnlintError, readJsonInput } from './read.js';

/** A configuration file that cannot be used: `path: why`, one line. */
export class ConfigError extends MnlintError {}

/** A configuration is a few lines; a larger file is not one. */
const MAX_CONFIG_BYTES = 1024 * 1024;

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
export function readConfig(path: string, label = path): Config {
  let json: unknown;
  try {
    json = readJsonInput(path, { max: MAX_CONFIG_BYTES, label });
  } catch (e) {
    if (e instanceof InputError) throw new ConfigError(e.message);
    throw e;
  }
  const parsed = ConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${label}: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
  }
  const w = parsed.data.watch ?? {};
  const watch: WatchSettings = { mute: w.mute ?? WATCH_DEFAULTS.mute, minSeverity: w.minSeverity ?? WATCH_DEFAULTS.minSeverity, paths: w.paths ?? WATCH_DEFAULTS.paths };
  // the rules as the file has them, its own keys only: JSON.parse keeps "__proto__" as a key, a copy would make it the prototype
  const raw = (json as { rules?: Record<string, unknown> }).rules ?? {};
  const rules = new Map<string, z.infer<typeof Level>>();
  for (const id of Object.keys(raw)) {
    const level = Level.safeParse(raw[id]);
    if (!level.success) throw new ConfigError(`${label}: rules.${id}: ${level.error.issues[0]!.message}`);
    rules.set(id, level.data);
  }
  return { kernel: parsed.data.kernel ?? null, watch, rules, exclude: parsed.data.exclude ?? [] };
}
