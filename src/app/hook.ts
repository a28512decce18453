// The git send-email sendemail-validate hook: the checklist of each outgoing
// patch, by this mnlint's absolute path so the hook works from any shell.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { MnlintError } from '../input/read.js';

export class HookError extends MnlintError {}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The hook's text: `node cli checklist --repo TOP PATCH`, its report on stderr (send-email shows it). */
export function hookScript(node: string, cli: string): string {
  return [
    '#!/bin/sh',
    '# Installed by `mnlint hook install`: git send-email runs it on each outgoing patch ($1).',
    '# A patch git format-patch wrote here is its commit, reviewed against its parent;',
    '# trailers, Fixes:, the subject prefix and MAINTAINERS are checked against this repository.',
    '# A failing item stops the send; `git send-email --no-validate` overrides.',
    `exec ${quote(node)} ${quote(cli)} checklist --repo "$(git rev-parse --show-toplevel)" "$1" >&2`,
    '',
  ].join('\n');
}

/** Writes the hook where git looks for it (core.hooksPath honoured); its path. */
export async function installHook(repo: string, node: string, cli: string): Promise<string> {
  let hooks: string;
  try {
    hooks = resolve(repo, (await simpleGit(repo).raw(['rev-parse', '--git-path', 'hooks'])).trim());
  } catch {
    throw new HookError(`${repo}: not a git repository`);
  }
  mkdirSync(hooks, { recursive: true });
  const path = join(hooks, 'sendemail-validate');
  writeFileSync(path, hookScript(node, cli), { mode: 0o755 });
  return path;
}
