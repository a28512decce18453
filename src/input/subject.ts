// The subject line of a list posting, read as b4 and patchwork read it: the
// leading bracket groups (`[PATCH v3 2/7]`, `[RFC PATCH net-next v2 1/3]`,
// `[Intel-gfx] [PATCH]`, `[PATCH][next]`), split into words: `M/T` counters,
// `vN` revisions, RFC, RESEND, and what the lists add besides: the stable
// queue's release (`6.12`, `6.1.y`, `AUTOSEL 5.15`) and tree or subsystem tags
// (`net-next`, `for-rc`, `rdma-next`, `hmm`). A release is never a revision.

export interface SubjectLabels {
  /** RFC, in any group (`[RFC PATCH]`, `[PATCH RFC]`, `[RFC v2]`) */
  rfc: boolean;
  resend: boolean;
  /** the stable release a backport is for: `6.12`, `6.1.y`, `5.15` (AUTOSEL names one too) */
  stable: string | null;
  /** Sasha's automatic selection for stable (`[PATCH AUTOSEL 5.15 05/41]`) */
  autosel: boolean;
  /** the other words of the groups, as written: trees and subsystems (`net-next`, `for-rc`, `hmm`, `next`, `GIT PULL`) */
  tags: string[];
}

export interface ParsedSubject {
  /** `Re:`, `Aw:` (and `Re: Fwd:`): a reply, not a posting */
  reply: boolean;
  /** `Fwd:` in front of a posting */
  forward: boolean;
  /** a group with PATCH (or RFC / RESEND standing for it) was seen */
  patch: boolean;
  /** `vN`; 1 when absent */
  version: number;
  /** M of M/T; 1 when absent (0 for a cover letter) */
  index: number;
  /** T of M/T; 1 when absent */
  total: number;
  /** whether M/T was written */
  counted: boolean;
  labels: SubjectLabels;
  /** groups before the first PATCH group that hold no patch word: the list's own tag (`[Intel-gfx]`, `[Nouveau]`) */
  lists: string[];
  /** the subject without its prefixes and groups */
  rest: string;
}

const REPLY = /^(?:re|aw|sv|antw)\s*(?:\[\d+\])?:\s*/i;
const FORWARD = /^(?:fwd?|wg)\s*:\s*/i;
/** 6.12, 6.1.y, 5.15.3, v5.10, 4.19-stable, stable-6.6 */
const RELEASE = /^(?:stable-)?v?(\d+\.\d+(?:\.\d+|\.y)?)(?:-stable|\.y-stable)?$/i;

/** Reads a subject line; what has no group keeps version 1, 1 of 1. */
export function parseSubject(subject: string): ParsedSubject {
  let s = subject.replace(/\s+/g, ' ').trim();
  let reply = false;
  let forward = false;
  for (;;) {
    const r = REPLY.exec(s);
    if (r) {
      reply = true;
      s = s.slice(r[0].length);
      continue;
    }
    const f = FORWARD.exec(s);
    if (f) {
      forward = true;
      s = s.slice(f[0].length);
      continue;
    }
    break;
  }
  // brackets inside brackets are flattened (`[PATCH [net] 1/2]`), as b4 does
  for (let before = ''; before !== s; ) {
    before = s;
    s = s.replace(/\[([^\]]*)\[([^[\]]*)\]/, '[$1$2').replace(/\[([^\]]*)\]([^[\]]*)\]/, '[$1$2]');
  }
  const out: ParsedSubject = {
    reply,
    forward,
    patch: false,
    version: 1,
    index: 1,
    total: 1,
    counted: false,
    labels: { rfc: false, resend: false, stable: null, autosel: false, tags: [] },
    lists: [],
    rest: '',
  };
  const groups: string[][] = [];
  for (let m = /^\s*\[([^\]]*)\]\s*/.exec(s); m; m = /^\s*\[([^\]]*)\]\s*/.exec(s)) {
    // `[PATCHv3]`, `[PATCH-v3]` -> PATCH v3
    groups.push(
      m[1]!
        .replace(/\b(patch)-?(v\d+)\b/gi, '$1 $2')
        .split(/\s+/)
        .map((w) => w.replace(/^[,;]+|[,;]+$/g, ''))
        .filter(Boolean),
    );
    s = s.slice(m[0].length);
  }
  const patchWord = (w: string): boolean => /^(?:patch|rfc|resend)$/i.test(w);
  const firstPatch = groups.findIndex((g) => g.some(patchWord));
  for (const [gi, words] of groups.entries()) {
    // a group before the first PATCH group without a patch word is the list's tag
    if (firstPatch > 0 && gi < firstPatch) {
      out.lists.push(words.join(' '));
      continue;
    }
    for (const [wi, w] of words.entries()) {
      const counter = /^(\d{1,4})\/(\d{1,4})$/.exec(w);
      const release = RELEASE.exec(w);
      if (counter) {
        out.index = Number(counter[1]);
        out.total = Number(counter[2]);
        out.counted = true;
      } else if (/^v\d+$/i.test(w)) out.version = Number(w.slice(1));
      else if (/^patch(?:es)?$/i.test(w)) out.patch = true;
      else if (/^rfc$/i.test(w)) {
        out.labels.rfc = true;
        out.patch = true;
      } else if (/^resend$/i.test(w)) {
        out.labels.resend = true;
        out.patch = true;
      } else if (/^autosel$/i.test(w)) out.labels.autosel = true;
      else if (release && (out.patch || out.labels.autosel || wi > 0 || words.some(patchWord))) out.labels.stable = release[1]!.toLowerCase();
      else out.labels.tags.push(w);
    }
  }
  out.rest = s.trim();
  return out;
}

/** The words of the groups again, as a maintainer writes them: `RFC PATCH net-next v2 1/3`, `PATCH AUTOSEL 5.15 05/41`. */
export function subjectPrefix(p: { version: number; index: number; total: number; labels?: SubjectLabels }): string {
  const l = p.labels;
  const words = [
    ...(l?.rfc ? ['RFC'] : []),
    'PATCH',
    ...(l?.resend ? ['RESEND'] : []),
    ...(l?.autosel ? ['AUTOSEL'] : []),
    ...(l?.stable ? [l.stable] : []),
    ...(l?.tags ?? []),
    ...(p.version > 1 ? [`v${p.version}`] : []),
    // M padded to the width of T, as git format-patch and b4 write it (`05/41`, `023/150`)
    ...(p.total > 1 || p.index !== 1 ? [`${String(p.index).padStart(String(p.total).length, '0')}/${p.total}`] : []),
  ];
  return words.join(' ');
}

/** Whether the labels say more than a bare `[PATCH]`. */
export function hasLabels(l: SubjectLabels | undefined): boolean {
  return !!l && (l.rfc || l.resend || l.autosel || l.stable !== null || l.tags.length > 0);
}

/** What keeps two postings in different series though their numbers agree: the stable queue they are for. */
export function queueOf(l: SubjectLabels | undefined): string {
  if (!l || (!l.autosel && l.stable === null)) return 'mainline';
  return `${l.autosel ? 'AUTOSEL ' : ''}${l.stable ?? ''}`.trim();
}
