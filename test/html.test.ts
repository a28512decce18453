// The HTML page and the mermaid diagrams in the programs that show them:
// Debian's Chromium loads the page (no console error, no request leaving the
// file, every finding shown with its diagram), and mermaid itself, the
// library GitHub renders ```mermaid blocks with, parses and draws each
// diagram in the same browser.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mermaidOf } from '../src/report/diagram.js';
import { CheckReportSchema } from '../src/report/schema.js';
import type { TraceDiagram } from '../src/rules/rule.js';
import { CLI, REPO } from './helpers.js';
import { needProgram, skipUnless } from './needs.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = needProgram(CHROMIUM, 'chromium');
// every rule's fixtures: model traces of one notifier, of two CPUs, of scanned cores
const INPUTS = ['fixtures/rules', 'fixtures/rules/core-sequence-state/bad-end.c', 'fixtures/rules/core-end-after-failed-start/bad.c'];

let browser: Browser | undefined;
beforeAll(async () => {
  if (missing) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // this machine's network is closed: no background connections
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

function run(format: string): string {
  const r = spawnSync('node', [CLI, 'check', '--no-cache', '--format', format, ...INPUTS], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 26 });
  expect(r.status, r.stderr).toBe(1);
  return r.stdout;
}

describe('check --format html', () => {
  test('loads in Chromium with no console error or request, showing every finding and diagram', async (ctx) => {
    skipUnless(ctx, missing);
    const report = CheckReportSchema.parse(JSON.parse(run('json')));
    const withDiagram = report.findings.filter((f) => f.diagram);
    // fixtures of concurrent invalidations and of scanned cores are among them
    expect(withDiagram.some((f) => f.diagram!.lanes.includes('CPU B'))).toBe(true);
    expect(withDiagram.some((f) => f.rule.startsWith('core-'))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'mnlint-html-'));
    const page = join(dir, 'report.html');
    writeFileSync(page, run('html'));

    const tab = await browser!.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    tab.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    tab.on('request', (r) => {
      if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`);
    });
    await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
    expect(await tab.title()).toBe(`mnlint: ${report.findings.length} findings`);

    const sections = tab.locator('section.finding');
    expect(await sections.count()).toBe(report.findings.length);
    for (const [k, f] of report.findings.entries()) {
      const s = sections.nth(k);
      expect(await s.locator('.message').textContent()).toBe(f.message);
      expect(await s.locator('.where').textContent()).toContain(`${f.file}:${f.line}`);
      expect(await s.isVisible()).toBe(true);
      // the finding's own line is shown, highlighted
      expect(await s.locator('pre.source .hit').count()).toBeGreaterThan(0);
      const svg = s.locator('svg.diagram');
      if (!f.diagram) {
        expect(await svg.count()).toBe(0);
        continue;
      }
      expect(await svg.count()).toBe(1);
      const box = await svg.boundingBox();
      expect(box!.width).toBeGreaterThan(100);
      expect(await svg.locator('rect.lane').count()).toBe(f.diagram.lanes.length);
      expect(await svg.locator('line.call, line.return').count()).toBe(f.diagram.steps.filter((x) => x.kind !== 'note').length);
    }
    if (process.env.MNLINT_SCREENSHOT) {
      const one = sections
        .filter({ has: tab.locator('svg.diagram') })
        .filter({ hasText: 'CPU B' })
        .first();
      await one.screenshot({ path: resolve(REPO, process.env.MNLINT_SCREENSHOT) });
    }
    expect(problems).toEqual([]);
  }, 120_000);
});

describe('mermaid diagrams', () => {
  test('mermaid parses and renders every diagram of the fixtures', async (ctx) => {
    skipUnless(ctx, missing);
    const report = CheckReportSchema.parse(JSON.parse(run('json')));
    const diagrams = report.findings.filter((f) => f.diagram).map((f) => f.diagram as TraceDiagram);
    expect(diagrams.length).toBeGreaterThan(5);
    const tab = await browser!.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.setContent('<!doctype html><html><body><div id="out"></div></body></html>');
    await tab.addScriptTag({ path: resolve(REPO, 'node_modules/mermaid/dist/mermaid.min.js') });
    for (const [k, d] of diagrams.entries()) {
      const text = mermaidOf(d);
      const result = await tab.evaluate(
        async ({ text, id }) => {
          const m = (globalThis as unknown as { mermaid: { initialize(o: object): void; parse(t: string): Promise<unknown>; render(id: string, t: string): Promise<{ svg: string }> } }).mermaid;
          m.initialize({ startOnLoad: false });
          try {
            await m.parse(text);
            const { svg } = await m.render(id, text);
            return { ok: true, svg };
          } catch (e) {
            return { ok: false, error: String(e) };
          }
        },
        { text, id: `m${k}` },
      );
      expect(result, text).toMatchObject({ ok: true });
      // every lane is drawn, and the entity codes came back as the characters
      const texts = (result as { svg: string }).svg;
      for (const lane of d.lanes) expect(texts).toContain(lane);
      for (const s of d.steps) if (s.kind !== 'note' && !/[#;<>&"']/.test(s.text)) expect(texts).toContain(s.text.slice(0, 20));
    }
    expect(errors).toEqual([]);
  }, 180_000);
});
