// `check --format html`: one self-contained page (no script, no network) with
// each finding, its source lines, its trace and, for a model counterexample,
// the diagram as inline SVG.
import type { ScanStats } from '../engine/scan.js';
import type { Finding } from '../rules/rule.js';
import { svgOf } from './diagram.js';
import { assumedLines, type Assumptions } from './assumed.js';
import type { LineText } from './findings.js';
import { renderTrace } from './trace.js';

const html = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// lines shown around a finding's own
const CONTEXT = 3;

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1em 2em; color: #1f2328; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
.summary { color: #59636e; margin-top: 0; }
.assumed { color: #59636e; margin: 0; font-family: ui-monospace, monospace; font-size: 0.9em; }
.finding { border: 1px solid #d1d9e0; border-left-width: 6px; border-radius: 6px; padding: 0.4em 1em 0.8em; margin: 1.2em 0; }
.finding.error { border-left-color: #cf222e; }
.finding.warning { border-left-color: #bf8700; }
.finding.info { border-left-color: #0969da; }
.finding h2 { font-size: 1em; margin: 0.5em 0; font-weight: 600; }
.sev { text-transform: uppercase; font-size: 0.8em; padding: 0.1em 0.5em; border-radius: 1em; color: #fff; margin-right: 0.5em; }
.error .sev { background: #cf222e; } .warning .sev { background: #9a6700; } .info .sev { background: #0969da; }
.where { font-family: ui-monospace, monospace; color: #59636e; font-weight: normal; margin-left: 0.5em; }
.message { margin: 0.3em 0 0.6em; }
pre { font: 12px/1.4 ui-monospace, monospace; background: #f6f8fa; padding: 0.5em 0.8em; border-radius: 4px; overflow-x: auto; margin: 0.4em 0; }
pre.source .ln { color: #8c959f; user-select: none; display: inline-block; min-width: 3.5em; }
pre.source .line, pre.source .hit { display: block; min-height: 1.4em; }
pre.source .hit { background: #fff8c5; }
details summary { cursor: pointer; color: #59636e; }
figure { margin: 0.6em 0; overflow-x: auto; }
figcaption { color: #59636e; font-size: 0.9em; margin-bottom: 0.3em; }
svg.diagram { font: 11px ui-monospace, monospace; max-width: 100%; height: auto; }
svg.diagram text { fill: #1f2328; }
svg.diagram .lane { fill: #ddf4ff; stroke: #54aeff; rx: 4; }
svg.diagram .life { stroke: #8c959f; stroke-dasharray: 4 4; }
svg.diagram line.call, svg.diagram line.return { stroke: #1f2328; stroke-width: 1.3; }
svg.diagram line.return { stroke-dasharray: 5 3; }
svg.diagram marker path { fill: #1f2328; }
svg.diagram .note { fill: #fff8c5; stroke: #d4a72c; }
svg.diagram .end { fill: #ffebe9; stroke: #cf222e; }
`;

/** The source lines of a finding, its own highlighted, or nothing when the file cannot be read. */
function sourceOf(f: Finding, lineText: LineText): string {
  const rows: string[] = [];
  const last = Math.max(f.endLine, f.line);
  for (let n = Math.max(1, f.line - CONTEXT); n <= last + CONTEXT; n++) {
    const text = lineText(f.file, n);
    if (text === undefined) break;
    const hit = n >= f.line && n <= last;
    rows.push(`<span class="${hit ? 'hit' : 'line'}"><span class="ln">${n}</span>${html(text)}</span>`);
  }
  return rows.length ? `<pre class="source">${rows.join('')}</pre>` : '';
}

export function formatHtml(findings: readonly Finding[], stats: ScanStats, lineText: LineText, version: string, assumptions?: Assumptions): string {
  const count = (s: string): number => findings.filter((f) => f.severity === s).length;
  const body = findings.map((f, k) => {
    const diagram = f.diagram ? `<figure><figcaption>${html(f.diagram.title)}</figcaption>\n${svgOf(f.diagram, `d${k + 1}`)}\n</figure>` : '';
    return [
      `<section class="finding ${f.severity}" id="finding-${k + 1}">`,
      `<h2><span class="sev">${f.severity}</span><code>${html(f.rule)}</code><span class="where">${html(f.file)}:${f.line}${f.function ? ` in ${html(f.function)}()` : ''}</span></h2>`,
      `<p class="message">${html(f.message)}</p>`,
      sourceOf(f, lineText),
      f.steps.length ? `<details${f.diagram ? '' : ' open'}><summary>trace</summary><pre class="trace">${renderTrace(f).map(html).join('\n')}</pre></details>` : '',
      diagram,
      '</section>',
    ]
      .filter(Boolean)
      .join('\n');
  });
  const summary = `${count('error')} errors, ${count('warning')} warnings, ${count('info')} infos; ${stats.tables} ops tables, ${stats.callbacks} callbacks, ${stats.parsedFiles} files parsed of ${stats.files}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mnlint: ${findings.length} finding${findings.length === 1 ? '' : 's'}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>mnlint ${html(version)}</h1>
<p class="summary">${summary}</p>
${
  assumptions
    ? `${assumedLines(assumptions)
        .map((l) => `<p class="assumed">${html(l)}</p>\n`)
        .join('')}`
    : ''
}<main>
${body.join('\n') || '<p>No findings.</p>'}
</main>
</body>
</html>
`;
}
