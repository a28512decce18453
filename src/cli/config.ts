// What the configuration decides for a command: the configuration file
// (--config, else found as checkpatch finds .checkpatch.conf), read once, and
// the API level (--api, --kernel, the file's kernel, the tree's own header).
// Apart from the option readers because both read files and the tree.
import { existsSync, lstatSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ConfigError, loadConfig, NO_CONFIG, type Config } from '../engine/config.js';
import { LEVEL_FILES, levelOfKernelOrTree, type LevelChoice } from '../input/tree.js';
import { API_LEVELS, apiById, type ApiLevel } from '../model/api.js';
import type { Values } from './options.js';
import { fail, UsageError } from './usage.js';

/** The configuration files read so far, by path. */
const configs = new Map<string, Config>();

/** The configuration file found as checkpatch finds .checkpatch.conf: `.`, the repository's top, then $HOME. */
export function findConfig(cwd = process.cwd(), home = process.env.HOME): string | undefined {
  const dirs = [cwd];
  for (let d = resolve(cwd); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) {
      dirs.push(d);
      break;
    }
    if (dirname(d) === d) break;
  }
  if (home) dirs.push(home);
  // a name that is there at all (a dangling link, a loop) is the config: reading it names what is wrong
  return dirs.map((d) => join(d, CONFIG_NAME)).find((f) => present(f));
}

const CONFIG_NAME = '.mnlint.json';

/** The configuration file in force and how messages name it: `--config FILE`, else the file found. */
export function configFile(values: Values): { path: string; label: string } | undefined {
  if (values.config !== undefined) return { path: values.config, label: `--config ${values.config}` };
  const found = findConfig();
  return found === undefined ? undefined : { path: found, label: found };
}

/** The --config file, read once; without one, nothing changes. A bad one is a ConfigError naming it. */
export function configOf(values: Values): Config {
  const file = configFile(values);
  if (file === undefined) return NO_CONFIG;
  if (!configs.has(file.path)) configs.set(file.path, loadConfig(file.path, file.label));
  return configs.get(file.path)!;
}

/** The API level: levelOf's level. */
export function apiOf(values: Values, root: string, where?: string): ApiLevel {
  return levelOf(values, root, where).level;
}

/** Whether the fallback to the newest level was named on stderr (once a run). */
let newestNoted = false;

/**
 * The API level and where it came from: --api, --kernel, the configuration
 * file's kernel, the scanned tree's own header (and Makefile), else the
 * newest, which a note on stderr names once (`note` false: not for a run
 * that read no notifier code). `where` names the tree in that note (its path
 * from here by default).
 */
export function levelOf(values: Values, root: string, where?: string, note = true): LevelChoice {
  if (values.api !== undefined) {
    const level = apiById(values.api) ?? fail(`unknown --api ${values.api} (${API_LEVELS.map((l) => l.id).join(', ')})`);
    return { level, source: 'api', from: `--api ${values.api}` };
  }
  const kernel = values.kernel ?? configOf(values).kernel;
  const choice = levelOfKernelOrTree(kernel, root, values.kernel === undefined ? configFile(values)?.label : undefined);
  if (typeof choice === 'string') throw values.kernel !== undefined ? new UsageError(`--kernel ${choice}`) : new ConfigError(`${configFile(values)!.label}: kernel ${choice}`);
  if (choice.source === 'newest' && note && !newestNoted) {
    newestNoted = true;
    const tree = where ?? (relative(process.cwd(), root) || '.');
    process.stderr.write(`mnlint: note: no ${LEVEL_FILES[0]} at or above ${tree}: checked at API level ${choice.level.id}, the newest (--kernel or --api names another)\n`);
  }
  return choice;
}

/** Whether a directory entry of that name exists, a symbolic link included whatever it points to. */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
