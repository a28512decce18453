// The seeds of ../shared/seeds are scraped archive pages, not mail. These turn
// them into proper RFC 5322 inputs at test time (the repository keeps no
// kernel text): seed 002 as the quoted-printable message it was, seed 004 as
// a `git format-patch` mail followed by the replies quoting it.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// the project's shared folder sits beside the checkout (CI clones it so too)
export const SEEDS = process.env.MNLINT_SEEDS ?? resolve(import.meta.dirname, '..', '..', 'shared', 'seeds');
const MBOX_FROM = 'From mboxrd@z Thu Jan  1 00:00:00 1970';

function seed(prefix: string): string {
  if (!existsSync(SEEDS)) throw new Error(`${SEEDS} not found: the seed tests read ../shared/seeds beside the checkout (or set MNLINT_SEEDS)`);
  const names = ['000_63aa17fd074bb781.txt', '001_c22c2c560e340351.txt', '002_7c2af731662a4241.txt', '003_a771dad3023d4b9c.txt', '004_a7617382d73ea7e9.txt'];
  return readFileSync(resolve(SEEDS, names.find((n) => n.startsWith(prefix))!), 'utf8');
}

/** mboxrd: body lines starting with `From ` (or already quoted) get one more `>`. */
function mboxrd(mail: string): string {
  return `${MBOX_FROM}\n${mail.replace(/^(>*From )/gm, '>$1')}\n`;
}

/** Seed 002: one list message whose line breaks were lost; re-encoded as quoted-printable. */
export function seed002Message(): string {
  const text = seed('002');
  const pick = (re: RegExp): string => re.exec(text)?.[1]?.trim() ?? '';
  const subject = pick(/Subject: (Re: \[RFC PATCH[^\]]*\] .*?) From: /);
  const body = text.slice(text.indexOf('MIME-Version: 1.0 ') + 'MIME-Version: 1.0 '.length);
  // the archive kept the QP escapes but not the line breaks: give the body
  // back its soft line breaks (QP lines are at most 76 characters)
  const lines: string[] = [];
  for (let i = 0; i < body.length; i += 75) {
    let chunk = body.slice(i, i + 75);
    // never split an =XX escape
    const cut = chunk.lastIndexOf('=');
    if (cut >= 73) {
      chunk = chunk.slice(0, cut);
      i -= 75 - cut;
    }
    lines.push(`${chunk}=`);
  }
  return [
    'From: Thomas =?ISO-8859-1?Q?Hellstr=F6m?= <thomas.hellstrom@linux.intel.com>',
    'To: Matthew Brost <matthew.brost@intel.com>',
    `Subject: ${subject}`,
    `Date: ${pick(/Date: ([A-Z][a-z]{2}, \d+ [A-Z][a-z]{2} \d{4} [\d:]+ [+-]\d{4})/)}`,
    `Message-ID: ${pick(/Message-ID: (<[^>]+>)/)}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="UTF-8"',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    ...lines,
    '',
  ].join('\r\n');
}

export const SEED004_ID = '<20260302163249.2.thomas.hellstrom@linux.intel.com>';

/** Seed 004: the v2 1/4 patch as format-patch would mail it, then the replies quoting it. */
export function seed004Mbox(): { mbox: string; replies: number } {
  const lines = seed('004').split('\n');
  const sig = lines.indexOf('-- ');
  // line 7 starts the commit message (after the page's title lines)
  const body = lines.slice(6, sig).join('\n');
  const patch = [
    'From: =?UTF-8?q?Thomas=20Hellstr=C3=B6m?= <thomas.hellstrom@linux.intel.com>',
    'Date: Mon,  2 Mar 2026 17:32:45 +0100',
    'Subject: [PATCH v2 1/4] mm/mmu_notifier: Allow two-pass struct mmu_interval_notifiers',
    `Message-Id: ${SEED004_ID}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    body,
    '-- ',
    '2.53.0',
    '',
  ].join('\n');
  const mails = [mboxrd(patch)];
  // each reply starts with "Re: [PATCH ..." then "Posted by NAME ..."
  const starts = lines.map((l, i) => (/^Re: \[PATCH/.test(l) ? i : -1)).filter((i) => i > sig);
  starts.forEach((start, k) => {
    const end = starts[k + 1] ?? lines.length;
    const who = /^Posted by (.+?) \d/.exec(lines[start + 1] ?? '')?.[1] ?? 'Someone';
    mails.push(
      mboxrd(
        [
          `From: ${who} <reviewer${k}@example.invalid>`,
          `Subject: ${lines[start]}`,
          `Message-Id: <seed004-reply-${k}@example.invalid>`,
          `In-Reply-To: ${SEED004_ID}`,
          `References: ${SEED004_ID}`,
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=UTF-8',
          'Content-Transfer-Encoding: 8bit',
          '',
          lines.slice(start + 2, end).join('\n'),
        ].join('\n'),
      ),
    );
  });
  return { mbox: mails.join(''), replies: starts.length };
}
