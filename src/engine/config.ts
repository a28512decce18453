// The configuration applied: rule ids checked against the registry, findings
// dropped or re-graded as the file says.
import { ConfigError, readConfig, type Config } from '../input/config.js';
import { findRule } from '../rules/index.js';
import type { Finding } from '../rules/rule.js';

export { ConfigError, NO_CONFIG, type Config } from '../input/config.js';

/** A configuration file read and checked: a rule it names that mnlint lacks is an error. */
export function loadConfig(path: string, label = path): Config {
  const config = readConfig(path, label);
  const unknown = [...config.rules.keys()].filter((id) => !findRule(id));
  if (unknown.length) throw new ConfigError(`${label}: rules: no rule ${unknown.join(', ')} (see \`mnlint rules\`)`);
  return config;
}

/** The findings as the configuration wants them: excluded paths and rules off dropped, severities set. */
export function applyConfig(findings: readonly Finding[], config: Config): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const level = config.rules.get(f.rule);
    if (level === 'off' || config.exclude.some((p) => f.file === p || f.file.startsWith(p.endsWith('/') ? p : `${p}/`))) continue;
    out.push(level ? { ...f, severity: level } : f);
  }
  return out;
}
