#!/usr/bin/env node
// Extracts, once, the request-body schemas of the GitHub REST endpoints the
// Action writes to, from GitHub's published OpenAPI description
// (@octokit/openapi, ~400 MB unpacked: fetched into .cache, never installed),
// into test/data/github-request-bodies.json, which the action test loads with zod.
//   node scripts/extract-github-schemas.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '23.0.2';
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(repo, '.cache', 'openapi');
const ENDPOINTS = ['POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', 'PUT /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}', 'PATCH /repos/{owner}/{repo}/pulls/comments/{comment_id}'];

mkdirSync(cache, { recursive: true });
const tarball = join(cache, `octokit-openapi-${VERSION}.tgz`);
if (!existsSync(tarball)) execFileSync('npm', ['pack', `@octokit/openapi@${VERSION}`, '--silent'], { cwd: cache, stdio: ['ignore', 'ignore', 'inherit'] });
const member = 'package/generated/api.github.com.deref.json';
const spec = JSON.parse(execFileSync('tar', ['-xzOf', tarball, member], { maxBuffer: 1 << 30 }).toString('utf8'));

const out = { source: `@octokit/openapi@${VERSION} ${member}`, openapi: spec.openapi, endpoints: {} };
for (const endpoint of ENDPOINTS) {
  const [method, path] = endpoint.split(' ');
  const op = spec.paths[path]?.[method.toLowerCase()];
  const schema = op?.requestBody?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${endpoint}: no JSON request body in ${member}`);
  out.endpoints[endpoint] = { operationId: op.operationId, schema };
}
writeFileSync(join(repo, 'test', 'data', 'github-request-bodies.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote test/data/github-request-bodies.json: ${ENDPOINTS.length} request bodies from ${out.source}`);
