// Damage: deterministic mutations of C files, mails and configs. Each takes
// the case's rng and returns the damaged bytes and the name of what was done
// (the failure kinds are grouped by it).
import type { Rng } from './rng.js';

export interface Damaged {
  how: string;
  data: Buffer;
}

const b = (s: string, enc: BufferEncoding = 'latin1'): Buffer => Buffer.from(s, enc);

function lines(text: string): string[] {
  return text.split('\n');
}

function spliceLines(text: string, at: number, del: number, ins: string[]): string {
  const ls = lines(text);
  ls.splice(Math.min(at, ls.length), del, ...ins);
  return ls.join('\n');
}

/** A C file's mutations: truncation, flips, nesting, encodings, directives. */
export function damageC(rng: Rng, text: string): Damaged {
  const n = lines(text).length;
  const at = rng.int(n + 1);
  const ops: Array<[string, () => Buffer]> = [
    ['truncate', () => b(text.slice(0, rng.int(text.length + 1)))],
    ['delete-lines', () => b(spliceLines(text, at, 1 + rng.int(20), []))],
    ['duplicate-lines', () => b(spliceLines(text, at, 0, lines(text).slice(at, at + 1 + rng.int(40))))],
    [
      'flip-bytes',
      () => {
        const buf = b(text);
        for (let k = 0; k < 1 + rng.int(16) && buf.length; k++) buf[rng.int(buf.length)] = rng.int(256);
        return buf;
      },
    ],
    ['nul-bytes', () => b(spliceLines(text, at, 0, ['\0\0\0int x;\0']))],
    [
      'deep-nesting',
      () => {
        const d = rng.pick([100, 1000, 5000, 10000]);
        return b(`${text}\nvoid fuzz_deep(int a)\n{\n${'if (a) {'.repeat(d)}a++;${'}'.repeat(d)}\n}\n`);
      },
    ],
    ['deep-parens', () => b(`${text}\nint fuzz_p = ${'('.repeat(rng.pick([500, 5000]))}1${')'.repeat(rng.pick([500, 5000]))};\n`)],
    ['unbalanced-open', () => b(spliceLines(text, at, 0, ['{ {', 'static int x(']))],
    ['unbalanced-close', () => b(spliceLines(text, at, 0, ['} } )']))],
    ['if0-unterminated', () => b(spliceLines(text, at, 0, ['#if 0']))],
    ['endif-stray', () => b(spliceLines(text, at, 0, ['#endif', '#else']))],
    ['macro-recursive', () => b(`#define A B\n#define B A\n${text}\nint y = A;\n`)],
    ['invalid-utf8', () => Buffer.concat([b(text.slice(0, at * 10)), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]), b(text.slice(at * 10))])],
    ['utf16', () => Buffer.concat([Buffer.from([0xff, 0xfe]), b(text, 'utf16le')])],
    ['bom', () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b(text)])],
    ['crlf', () => b(text.replace(/\n/g, '\r\n'))],
    ['cr-only', () => b(text.replace(/\n/g, '\r'))],
    ['long-line', () => b(spliceLines(text, at, 0, [`int fuzz_long = ${'1 + '.repeat(rng.pick([1000, 50000]))}1;`]))],
    [
      'swap-lines',
      () => {
        const ls = lines(text);
        const j = rng.int(ls.length);
        const k = rng.int(ls.length);
        [ls[j], ls[k]] = [ls[k] as string, ls[j] as string];
        return b(ls.join('\n'));
      },
    ],
    ['rename-api', () => b(text.replace(/mmu_interval_read_begin|mmu_notifier_range_blockable|mmu_interval_set_seq/g, (m) => rng.pick([m, `${m}_x`, 'mutex_lock', ''])))],
    ['drop-semicolons', () => b(text.replace(/;/g, () => (rng.chance(0.1) ? '' : ';')))],
    ['comment-unterminated', () => b(spliceLines(text, at, 0, ['/* never closed']))],
    ['string-unterminated', () => b(spliceLines(text, at, 0, ['char *s = "never closed']))],
    ['binary', () => Buffer.from(Array.from({ length: 256 + rng.int(4096) }, () => rng.int(256)))],
    ['empty', () => Buffer.alloc(0)],
  ];
  const [how, f] = rng.pick(ops);
  return { how: `c:${how}`, data: f() };
}

/** The `From ` separator lines of an mbox, damaged. */
const SEPARATORS = [
  'From',
  'From ',
  '>From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001',
  'From: 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001',
  'FROM 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001',
  'From  Mon Sep 17',
  'From 1111 garbage date',
  ' From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001',
  'From \x00\xff\xfe',
];

/** A mail's damage: separators, headers, encodings, hunk headers, truncation. */
export function damageMail(rng: Rng, text: string): Damaged {
  const ls = lines(text);
  const hunks = ls.map((l, i) => (l.startsWith('@@ ') ? i : -1)).filter((i) => i >= 0);
  const hunk = hunks.length ? rng.pick(hunks) : -1;
  const replaceAt = (i: number, l: string): string => {
    if (i < 0) return `${l}\n${text}`;
    const c = [...ls];
    c[i] = l;
    return c.join('\n');
  };
  const firstIdx = (re: RegExp): number => ls.findIndex((l) => re.test(l));
  const bigs = ['999999999', '9007199254740993', '4294967296', '-1', '0', '', 'x', '1e9', '00000000000000000000001'];
  const ops: Array<[string, () => string | Buffer]> = [
    ['separator', () => (firstIdx(/^From /) >= 0 ? replaceAt(firstIdx(/^From /), rng.pick(SEPARATORS)) : `${rng.pick(SEPARATORS)}\n${text}`)],
    ['no-separator', () => ls.filter((l) => !l.startsWith('From ')).join('\n')],
    ['hunk-start', () => replaceAt(hunk, `@@ -${rng.pick(bigs)},3 +${rng.pick(bigs)},3 @@`)],
    ['hunk-count', () => replaceAt(hunk, `@@ -1,${rng.pick(bigs)} +1,${rng.pick(bigs)} @@`)],
    ['hunk-garbage', () => replaceAt(hunk, rng.pick(['@@', '@@ @@', '@@ -a,b +c,d @@', '@@@ -1,2 -1,2 +1,3 @@@', '@@ -1 +1 @@ trailing']))],
    ['plus-header', () => replaceAt(firstIdx(/^\+\+\+ /), rng.pick(['+++', '+++ ', '+++ b/', '+++ /dev/null', '++ b/x.c', `+++ b/${'x/'.repeat(2000)}a.c`, '+++ b/\x00.c']))],
    ['minus-header', () => replaceAt(firstIdx(/^--- [ab/]/), rng.pick(['---', '--- ', '--- a/', '-- a/x.c']))],
    ['diff-git', () => replaceAt(firstIdx(/^diff --git /), rng.pick(['diff --git', 'diff --git a/x.c', 'diff --git a/../../etc/passwd b/../../etc/passwd', 'diff --cc a.c']))],
    [
      'subject',
      () =>
        replaceAt(
          firstIdx(/^Subject:/),
          rng.pick([
            'Subject:',
            'Subject: [PATCH 99999999999/1]',
            'Subject: [PATCH 0/0] x',
            'Subject: =?utf-8?B?####?=',
            'Subject: =?x-unknown?Q?=FF=FE?=',
            `Subject: ${'[PATCH] '.repeat(3000)}`,
            'Subject: [PATCH v-1 2/1] x',
          ]),
        ),
    ],
    ['header-drop', () => ls.filter((l, i) => !(i < 30 && /^(From|Date|Subject|Message-I[dD]):/.test(l))).join('\n')],
    ['header-fold', () => replaceAt(firstIdx(/^Subject:/), 'Subject: [PATCH]\n\tfolded\n \n\tagain')],
    ['header-garbage', () => replaceAt(firstIdx(/^Date:/), rng.pick(['Date: yesterday', 'X-Bad\x00Header: 1', ': empty name', 'Content-Type: multipart/mixed; boundary=', 'Content-Type: multipart/mixed; boundary="b"']))],
    ['cte-base64', () => replaceAt(firstIdx(/^Subject:/), `${ls[firstIdx(/^Subject:/)] ?? ''}\nContent-Transfer-Encoding: base64`)],
    ['cte-qp', () => replaceAt(firstIdx(/^Subject:/), `${ls[firstIdx(/^Subject:/)] ?? ''}\nContent-Transfer-Encoding: quoted-printable\nContent-Type: text/plain; charset=x-bogus`)],
    ['charset', () => replaceAt(firstIdx(/^Subject:/), `${ls[firstIdx(/^Subject:/)] ?? ''}\nContent-Type: text/plain; charset=utf-7`)],
    ['truncate', () => text.slice(0, rng.int(text.length + 1))],
    ['truncate-in-hunk', () => (hunk >= 0 ? ls.slice(0, hunk + 1 + rng.int(5)).join('\n') : text.slice(0, text.length >> 1))],
    ['crlf', () => text.replace(/\n/g, '\r\n')],
    ['nul', () => Buffer.concat([b(text.slice(0, text.length >> 1)), Buffer.from([0, 0, 0xff]), b(text.slice(text.length >> 1))])],
    ['many-copies', () => text.repeat(2 + rng.int(30))],
    ['hunk-lines-extra', () => (hunk >= 0 ? [...ls.slice(0, hunk + 1), ...Array.from({ length: 1 + rng.int(50) }, () => '+extra'), ...ls.slice(hunk + 1)].join('\n') : text)],
    ['binary-patch', () => replaceAt(hunk, 'GIT binary patch\nliteral 5\nMcmZ?d\n\nliteral 0\nHcmV?d00001\n')],
    ['empty', () => ''],
    ['headers-only', () => ls.slice(0, Math.max(0, ls.indexOf(''))).join('\n')],
  ];
  const [how, f] = rng.pick(ops);
  const out = f();
  return { how: `mail:${how}`, data: typeof out === 'string' ? b(out) : out };
}

/** A configuration file's damage (.mnlint.json or --config). */
export function damageConfig(rng: Rng): Damaged {
  const deep = (d: number): string => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`;
  const ops: Array<[string, string | Buffer]> = [
    ['not-json', '{rules: off}'],
    ['truncated', '{"rules": {"finish-leak-on-false": "of'],
    ['array', '[]'],
    ['number', '42'],
    ['null', 'null'],
    ['string', '"rules"'],
    ['empty', ''],
    ['bom', '\ufeff{"rules":{}}'],
    ['proto', '{"rules":{"__proto__":"off"}}'],
    ['proto-top', '{"__proto__":{"kernel":"6.12"}}'],
    ['constructor', '{"rules":{"constructor":"off","toString":"error"}}'],
    ['unknown-key', '{"rulez":{}}'],
    ['unknown-rule', '{"rules":{"no-such-rule":"off"}}'],
    ['bad-severity', '{"rules":{"finish-leak-on-false":"panic"}}'],
    ['kernel-bad', `{"kernel":"${rng.pick(['9.9', '6.', '', 'x', '6.12.1.1', '-1'])}"}`],
    ['kernel-number', '{"kernel":6.12}'],
    ['exclude-not-array', '{"exclude":"drivers/"}'],
    ['exclude-bad-items', '{"exclude":[1,null,{}]}'],
    ['deep', deep(rng.pick([100, 10000, 100000]))],
    ['huge-string', `{"kernel":"${'x'.repeat(1 << 20)}"}`],
    ['binary', Buffer.from([0xff, 0xfe, 0, 1, 2, 0x7b])],
    ['duplicate-keys', '{"kernel":"6.12","kernel":"9.9"}'],
  ];
  const [how, data] = rng.pick(ops);
  return { how: `config:${how}`, data: typeof data === 'string' ? Buffer.from(data, 'utf8') : data };
}
