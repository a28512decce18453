// A local stand-in for GitHub's REST API on 127.0.0.1, as far as the Action
// uses it for one pull request (octo-gpu/linux#7): review comments and
// reviews with pagination, the changed files, queued faults (a 500, a
// secondary rate limit). Every write's body is checked against GitHub's
// published request-body schema.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import * as z from 'zod';

const REPO = resolve(import.meta.dirname, '..');

export interface Recorded {
  method: string;
  path: string;
  body: unknown;
}

// GitHub's published request-body schemas for the endpoints the action writes
// to (extracted by scripts/extract-github-schemas.mjs)
const BODIES = z
  .object({
    source: z.string(),
    endpoints: z.record(z.string(), z.object({ operationId: z.string(), schema: z.record(z.string(), z.unknown()) })),
  })
  .parse(JSON.parse(readFileSync(join(REPO, 'test/data/github-request-bodies.json'), 'utf8')));
const BODY_SCHEMAS = Object.entries(BODIES.endpoints).map(([endpoint, { schema }]) => {
  const [method, template] = endpoint.split(' ') as [string, string];
  return { method, path: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`), schema: z.fromJSONSchema(schema as z.core.JSONSchema.JSONSchema, { defaultTarget: 'openapi-3.0' }) };
});

/** Why a request body is not what GitHub's description allows, or null. */
export function bodyProblem(method: string, path: string, body: unknown): string | null {
  const entry = BODY_SCHEMAS.find((b) => b.method === method && b.path.test(path));
  if (!entry) return `${method} ${path}: no request-body schema extracted for this endpoint`;
  const r = entry.schema.safeParse(body);
  return r.success ? null : `${method} ${path}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
}

/** GitHub's REST API for one pull request, as far as the action uses it. */
export class FakeGitHub {
  requests: Recorded[] = [];
  comments: Array<{ id: number; body: string; path: string; line: number; side: string; user: { login: string } }> = [];
  reviews: Array<{ id: number; body: string; commit_id: string }> = [];
  /** answers queued for the next matching requests */
  /** write requests whose body GitHub's OpenAPI description rejects */
  invalid: string[] = [];
  /** what GET /pulls/7/files answers (the fallback without git history) */
  files: Array<{ filename: string; status: string; patch?: string }> = [];
  /** `after`: the request is applied, then answered with the fault (a 502 after the write); `stall`: never answered */
  faults: Array<{ method: string; path: RegExp; status: number; headers?: Record<string, string>; message: string; mode?: 'after' | 'stall' }> = [];
  private nextId = 100;
  private server: Server = createServer((req, res) => void this.handle(req, res));
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok));
    const addr = this.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    this.url = `http://127.0.0.1:${addr.port}`;
  }

  stop(): Promise<void> {
    // a stalled request keeps its socket: drop it, or close would wait for ever
    this.server.closeAllConnections();
    return new Promise((ok) => this.server.close(() => ok()));
  }

  writes(): Recorded[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url!, this.url);
    const method = req.method!;
    const body = raw ? JSON.parse(raw) : null;
    this.requests.push({ method, path: url.pathname, body });
    if (method !== 'GET') {
      const problem = bodyProblem(method, url.pathname, body);
      if (problem) this.invalid.push(problem);
    }
    const at = this.faults.findIndex((f) => f.method === method && f.path.test(url.pathname));
    const fault = at >= 0 ? this.faults.splice(at, 1)[0]! : undefined;
    const send = (status: number, json: unknown, headers: Record<string, string> = {}): void => {
      // a fault that lets the write happen answers with its own status instead
      if (fault?.mode === 'after') {
        res.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8', ...fault.headers });
        res.end(JSON.stringify({ message: fault.message }));
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(json));
    };
    if (fault?.mode === 'stall') return;
    if (fault && !fault.mode) {
      send(fault.status, { message: fault.message, documentation_url: 'https://docs.github.com/rest' }, fault.headers);
      return;
    }
    if (req.headers.authorization !== 'token ghs_test_token') return send(401, { message: 'Bad credentials' });
    const page = Number(url.searchParams.get('page') ?? '1');
    // two entries a page, with GitHub's Link header, whatever per_page asks
    const paged = <T>(items: T[]): void => {
      const last = Math.max(1, Math.ceil(items.length / 2));
      const headers: Record<string, string> = {};
      if (page < last) {
        const next = new URL(url);
        next.searchParams.set('page', String(page + 1));
        headers.link = `<${next}>; rel="next"`;
      }
      send(200, items.slice((page - 1) * 2, page * 2), headers);
    };
    let m: RegExpExecArray | null;
    if (method === 'GET' && url.pathname === '/repos/octo-gpu/linux/pulls/7/comments') return paged(this.comments);
    if (method === 'GET' && url.pathname === '/repos/octo-gpu/linux/pulls/7/reviews') return paged(this.reviews);
    if (method === 'GET' && url.pathname === '/repos/octo-gpu/linux/pulls/7/files') return paged(this.files);
    if (method === 'POST' && url.pathname === '/repos/octo-gpu/linux/pulls/7/reviews') {
      const review = { id: this.nextId++, body: body.body, commit_id: body.commit_id };
      this.reviews.push(review);
      for (const c of body.comments ?? []) this.comments.push({ id: this.nextId++, body: c.body, path: c.path, line: c.line, side: c.side, user: { login: 'github-actions[bot]' } });
      return send(200, review);
    }
    m = method === 'PUT' ? /^\/repos\/octo-gpu\/linux\/pulls\/7\/reviews\/(\d+)$/.exec(url.pathname) : null;
    if (m) {
      const review = this.reviews.find((r) => r.id === Number(m![1]));
      if (!review) return send(404, { message: 'Not Found' });
      review.body = body.body;
      return send(200, review);
    }
    m = method === 'PATCH' ? /^\/repos\/octo-gpu\/linux\/pulls\/comments\/(\d+)$/.exec(url.pathname) : null;
    if (m) {
      const comment = this.comments.find((c) => c.id === Number(m![1]));
      if (!comment) return send(404, { message: 'Not Found' });
      comment.body = body.body;
      return send(200, comment);
    }
    send(404, { message: 'Not Found' });
  }
}
