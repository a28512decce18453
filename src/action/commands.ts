// GitHub workflow commands (`::error file=...,line=...::message`), escaped the
// way the runner decodes them, so file names and messages stay data.
import type { Finding } from '../rules/rule.js';
import { renderTrace } from '../report/trace.js';

const LEVEL: Record<Finding['severity'], 'error' | 'warning' | 'notice'> = { error: 'error', warning: 'warning', info: 'notice' };

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One annotation a finding; `prefix` is the path of the scanned folder inside the repository. */
export function annotation(f: Finding, prefix = ''): string {
  const file = prefix ? `${prefix.replace(/\/+$/, '')}/${f.file}` : f.file;
  const props = [`file=${escapeProperty(file)}`, `line=${f.line}`, `endLine=${Math.max(f.line, f.endLine)}`, `title=${escapeProperty(`mnlint ${f.rule} (${f.invariant})`)}`];
  const body = [f.message, ...renderTrace(f).map((t) => `  ${t}`)].join('\n');
  return `::${LEVEL[f.severity]} ${props.join(',')}::${escapeData(body)}\n`;
}

export function logError(message: string): string {
  return `::error::${escapeData(message)}\n`;
}
