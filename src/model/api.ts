// API levels of the mmu_notifier core: what the ops structs and struct
// mmu_notifier_range contain and how the core calls them, per kernel version,
// from 4.19 to 7.1. Every level is a change of the API or of the core's
// calling rules, named for the first release that has it, with the commit
// that made it; a few more name a release mnlint is tested on (6.1, 6.12) or
// the last release before a change (5.11). Written from
// include/linux/mmu_notifier.h and mm/mmu_notifier.c of the versions named,
// and the two-pass series (seed 004).
import { GET_PUT_MEMBERS, HLIST_BASE_MEMBERS, INTERVAL_BASE_MEMBERS, OPS_FLAGS_MEMBER, type SecondaryTlbMember, TWO_PASS_MEMBERS } from './ops.js';

export type ApiLevelId = '4.19' | '4.20' | '5.0' | '5.2' | '5.4' | '5.5' | '5.9' | '5.11' | '5.12' | '5.14' | '6.1' | '6.3' | '6.6' | '6.10' | '6.12' | 'two-pass-v2' | '7.1';

/** A commit that made a level's change, and how mnlint's authors checked its id and release. */
export interface LevelCommit {
  /** 12 hex digits; null where the mainline id could not be checked */
  id: string | null;
  subject: string;
  /** where the id and the release were read (a stable backport's "Upstream commit", a pull request's shortlog...) */
  verified: string;
}

/** How a callback learns whether it may block. */
export type BlockableForm = 'argument' | 'range-field' | 'range-flags';

/** The fields of `struct mmu_notifier_range` a level declares (5.0 on). */
export type RangeField = 'vma' | 'mm' | 'start' | 'end' | 'blockable' | 'flags' | 'event' | 'migrate_pgmap_owner' | 'owner';

export interface ApiLevel {
  id: ApiLevelId;
  /** what a user can pass to --kernel / --api for this level */
  description: string;
  /** the releases the level stands for, as `5.9-5.10` */
  kernels: string;
  /** what changed from the level before (for a level named after a release: that nothing did) */
  change: string;
  /** the commits that made the change; empty for a level that changes nothing */
  commits: readonly LevelCommit[];
  /** interval notifiers (mmu_interval_notifier_insert, ->invalidate) exist */
  intervalNotifiers: boolean;
  /** mmu_notifier_get/put with ops->alloc_notifier / ->free_notifier exist (5.4 on) */
  getPut: boolean;
  /** how blockability reaches invalidate_range_start: a bool argument (4.19), range->blockable (5.0), range->flags (5.2 on) */
  blockable: BlockableForm;
  /** the fields of struct mmu_notifier_range; empty before 5.0 (start takes mm, start, end, blockable) */
  rangeFields: readonly RangeField[];
  /** c2655835fd8c: after a failed start the core calls end on every notifier that has one */
  endAfterFailedStart: boolean;
  /**
   * invalidate_range_end after a non-blocking start may not sleep either: the
   * header says so from 5.0 ("the same applies to invalidate_range_end"); 4.19's
   * end has no flag and its header no such rule
   */
  endNonBlocking: boolean;
  /** ec8832d007cb (6.6): invalidate_range_end no longer calls the secondary-TLB hook; the TLB flush does */
  tlbHookFromRangeEnd: boolean;
  /** two-pass interval notifiers: invalidate_start / invalidate_finish */
  twoPass: boolean;
  /** mmu_interval_notifier_insert WARNs on invalidate_start without invalidate_finish (7.1) */
  insertChecksFinish: boolean;
  /** ops fields that exist at this level */
  fields: { mmu_notifier_ops: readonly string[]; mmu_interval_notifier_ops: readonly string[] };
}

interface LevelSpec {
  kernels: string;
  change: string;
  commits?: readonly LevelCommit[];
  intervalNotifiers: boolean;
  getPut: boolean;
  blockable: BlockableForm;
  rangeFields: readonly RangeField[];
  endAfterFailedStart: boolean;
  secondaryTlbs: SecondaryTlbMember;
  changePte: boolean;
  twoPass?: boolean;
  insertChecksFinish?: boolean;
  /** 4.19's `int flags` of the ops (MMU_INVALIDATE_DOES_NOT_BLOCK) */
  opsFlags?: boolean;
}

function level(id: ApiLevelId, description: string, o: LevelSpec): ApiLevel {
  return {
    id,
    description,
    kernels: o.kernels,
    change: o.change,
    commits: o.commits ?? [],
    intervalNotifiers: o.intervalNotifiers,
    getPut: o.getPut,
    blockable: o.blockable,
    rangeFields: o.rangeFields,
    endAfterFailedStart: o.endAfterFailedStart,
    endNonBlocking: o.blockable !== 'argument',
    tlbHookFromRangeEnd: o.secondaryTlbs === 'invalidate_range',
    twoPass: o.twoPass ?? false,
    insertChecksFinish: o.insertChecksFinish ?? false,
    fields: {
      mmu_notifier_ops: [...(o.opsFlags ? [OPS_FLAGS_MEMBER] : []), ...HLIST_BASE_MEMBERS, ...(o.getPut ? GET_PUT_MEMBERS : []), o.secondaryTlbs, ...(o.changePte ? ['change_pte'] : [])],
      mmu_interval_notifier_ops: o.intervalNotifiers ? [...INTERVAL_BASE_MEMBERS, ...(o.twoPass ? TWO_PASS_MEMBERS : [])] : [],
    },
  };
}

const c = (id: string | null, subject: string, verified: string): LevelCommit => ({ id, subject, verified });

// where the ids were read: a shortlog is a list of mainline commits with full ids
// (a pull request or a release's), a backport names its "Upstream commit"
const SHORTLOG = 'full id in a mainline shortlog';

const RANGE_5_0: readonly RangeField[] = ['mm', 'start', 'end', 'blockable'];
const RANGE_5_2: readonly RangeField[] = ['vma', 'mm', 'start', 'end', 'flags', 'event'];
const RANGE_5_9: readonly RangeField[] = [...RANGE_5_2, 'migrate_pgmap_owner'];
const RANGE_5_14: readonly RangeField[] = [...RANGE_5_2, 'owner'];
const RANGE_6_3: readonly RangeField[] = RANGE_5_14.filter((f) => f !== 'vma');

/** The contract of each family of levels, which later levels change field by field. */
const HLIST_4_19 = { intervalNotifiers: false, getPut: false, endAfterFailedStart: false, secondaryTlbs: 'invalidate_range', changePte: true } as const;
const INTERVAL_5_5 = { ...HLIST_4_19, intervalNotifiers: true, getPut: true, blockable: 'range-flags' } as const;
const MODERN_6_10 = { ...INTERVAL_5_5, endAfterFailedStart: true, secondaryTlbs: 'arch_invalidate_secondary_tlbs', changePte: false, rangeFields: RANGE_6_3 } as const;

/** Ordered oldest first. */
export const API_LEVELS: readonly ApiLevel[] = [
  level('4.19', 'Linux 4.19: invalidate_range_start returns int and takes bool blockable', {
    ...HLIST_4_19,
    kernels: '4.19',
    change: 'invalidate_range_start returns an int and takes a bool blockable: a non-blockable start (the OOM reaper) may fail with -EAGAIN; the ops still have int flags (MMU_INVALIDATE_DOES_NOT_BLOCK)',
    commits: [c('93065ac753e4', 'mm, oom: distinguish blockable mode for mmu notifiers', 'cited by the RHEL DRM backport shim and as Fixes: of c2655835fd8c; the 4.19 release tree has it')],
    blockable: 'argument',
    rangeFields: [],
    opsFlags: true,
  }),
  level('4.20', 'Linux 4.20: the ops lose int flags', {
    ...HLIST_4_19,
    kernels: '4.20',
    change: 'the ops lose int flags and MMU_INVALIDATE_DOES_NOT_BLOCK (the bool blockable argument replaces them)',
    commits: [
      c(
        null,
        'Revert "mm, mmu_notifier: annotate mmu notifiers with blockable invalidate callbacks"',
        'reverts 5ff7091f5a2c; posted 2018-08-27; its mainline id was not found; the 4.19 release tree has the flags, the 5.0 tree not: 4.20 inferred from the posting date',
      ),
    ],
    blockable: 'argument',
    rangeFields: [],
  }),
  level('5.0', 'Linux 5.0 and 5.1: hlist only, struct mmu_notifier_range with a bool blockable field', {
    ...HLIST_4_19,
    kernels: '5.0-5.1',
    change: 'start and end take const struct mmu_notifier_range * (mm, start, end, bool blockable)',
    commits: [
      c('5d6527a784f7', 'mm/mmu_notifier: use structure for invalidate_range_start/end callback', 'cited by the RHEL DRM backport shim; git blame dates ac46d4f3c432 2018-12-28, 5.0'),
      c('ac46d4f3c432', 'mm/mmu_notifier: use structure for invalidate_range_start/end calls v2', 'cited by the RHEL DRM backport shim; git blame 2018-12-28, 5.0'),
    ],
    blockable: 'range-field',
    rangeFields: RANGE_5_0,
  }),
  level('5.2', 'Linux 5.2 and 5.3: hlist only, mmu_notifier_range_blockable()', {
    ...HLIST_4_19,
    kernels: '5.2-5.3',
    change: 'mmu_notifier_range_blockable() reads range->flags; the range gains vma, flags and event (enum mmu_notifier_event)',
    commits: [
      c('4a83bfe916f3', 'mm/mmu_notifier: helper to test if a range invalidation is blockable', 'amdgpu DKMS configure names it v5.1-10225-g4a83bfe916f3 (5.2 merge window)'),
      c('6f4f13e8d9e2', 'mm/mmu_notifier: contextual information for event triggering invalidation', 'full id in a Gentoo ebuild note on 5.2; git blame 2019-05-13, 5.2'),
    ],
    blockable: 'range-flags',
    rangeFields: RANGE_5_2,
  }),
  level('5.4', 'Linux 5.4: mmu_notifier_get/put with alloc_notifier and free_notifier', {
    ...HLIST_4_19,
    kernels: '5.4',
    change: 'mmu_notifier_get/put and ops->alloc_notifier/->free_notifier; lockdep ties reclaim to invalidate_range_start/end; a non-blockable start runs under non_block_start()',
    commits: [
      c('2c7933f53f6b', 'mm/mmu_notifiers: add a get/put scheme for the registration', 'amdgpu DKMS configure names it v5.3-rc1-29-g2c7933f53f6b (hmm tree for 5.4)'),
      c('23b68395c7c7', 'mm/mmu_notifiers: add a lockdep map for invalidate_range_start/end', 'checkpatch output and a dma-fence series cite it; release 5.4 inferred from the series, not from a tag'),
      c('ba170f76b69d', 'mm, notifier: Catch sleeping/blocking for !blockable', 'cited on the KVM list (2024); release 5.4 inferred from the series, not from a tag'),
    ],
    getPut: true,
    blockable: 'range-flags',
    rangeFields: RANGE_5_2,
  }),
  level('5.5', 'Linux 5.5 to 5.8: interval notifiers; no end after a failed start', {
    ...INTERVAL_5_5,
    kernels: '5.5-5.8',
    change: 'interval notifiers: struct mmu_interval_notifier_ops with ->invalidate, mmu_interval_read_begin/retry, mmu_interval_set_seq',
    commits: [c('99cb252f5e68', 'mm/mmu_notifier: add an interval tree notifier', 'amdgpu DKMS configure names it v5.4-rc5-19-g99cb252f5e68 (5.5); Fixes: tags of later fixes')],
    rangeFields: RANGE_5_2,
  }),
  level('5.9', 'Linux 5.9 and 5.10: range->migrate_pgmap_owner', {
    ...INTERVAL_5_5,
    kernels: '5.9-5.10',
    change: 'the range gains migrate_pgmap_owner (MMU_NOTIFY_MIGRATE events carry the device owner)',
    commits: [c('998427b3ad2c', 'mm/notifier: add migration invalidation type', 'Fixes: tag of a build fix; v4 posted July 2020, 5.9 inferred, not from a tag')],
    rangeFields: RANGE_5_9,
  }),
  level('5.11', 'Linux 5.11 (before c2655835fd8c)', {
    ...INTERVAL_5_5,
    kernels: '5.11',
    change: 'none: the contract of 5.9, named as the last release before c2655835fd8c',
    rangeFields: RANGE_5_9,
  }),
  level('5.12', 'Linux 5.12 and 5.13: end called on every notifier after a failed start', {
    ...INTERVAL_5_5,
    kernels: '5.12-5.13',
    change: 'after a failed start the core calls invalidate_range_end on every notifier that has one; a start that can fail must not have an end (WARN)',
    commits: [c('c2655835fd8c', 'mm/mmu_notifiers: ensure range_end() is paired with range_start()', 'the 5.10 stable backport names it as Upstream commit (March 2021, 5.12-rc)')],
    endAfterFailedStart: true,
    rangeFields: RANGE_5_9,
  }),
  level('5.14', 'Linux 5.14 to 6.0: range->owner', {
    ...INTERVAL_5_5,
    kernels: '5.14-6.0',
    change: 'range->migrate_pgmap_owner renamed owner (MMU_NOTIFY_EXCLUSIVE uses it too)',
    commits: [c('6b49bf6ddbb0', 'mm: rename migrate_pgmap_owner', `${SHORTLOG} beside b756a3b5e7ea "mm: device exclusive memory access"; v11 posted June 2021, 5.14 inferred`)],
    endAfterFailedStart: true,
    rangeFields: RANGE_5_14,
  }),
  level('6.1', 'Linux 6.1 and 6.2', {
    ...INTERVAL_5_5,
    kernels: '6.1-6.2',
    change: 'none: the contract of 5.14, named for the Debian 6.1 tree mnlint is tested on',
    endAfterFailedStart: true,
    rangeFields: RANGE_5_14,
  }),
  level('6.3', 'Linux 6.3 to 6.5: range->vma removed', {
    ...INTERVAL_5_5,
    kernels: '6.3-6.5',
    change: 'the range loses vma (mmu_notifier_range_init takes the mm)',
    commits: [
      c(
        '7d4a8be0c4b2',
        'mm/mmu_notifier: remove unused mmu_notifier_range_update_to_read_only export',
        'listed under 6.3 in a per-release commit list; git blame shows it dropping the vma argument of mmu_notifier_range_init; that it also drops the field is inferred (the Debian 6.1 header has it, 6.12 not), not read from the diff',
      ),
    ],
    endAfterFailedStart: true,
    rangeFields: RANGE_6_3,
  }),
  level('6.6', 'Linux 6.6 to 6.9: arch_invalidate_secondary_tlbs replaces invalidate_range', {
    ...MODERN_6_10,
    kernels: '6.6-6.9',
    change: 'ops->invalidate_range renamed arch_invalidate_secondary_tlbs and called from the TLB flush, no longer from invalidate_range_end',
    commits: [
      c('1af5a8109904', 'mmu_notifiers: rename invalidate_range notifier', `${SHORTLOG}; commit date 2023-08-18 (6.6 merge window)`),
      c('ec8832d007cb', "mmu_notifiers: don't invalidate secondary TLBs as part of mmu_notifier_invalidate_range_end()", `${SHORTLOG}, same series`),
    ],
    changePte: true,
  }),
  level('6.10', 'Linux 6.10 and 6.11: change_pte removed', {
    ...MODERN_6_10,
    kernels: '6.10-6.11',
    change: 'ops->change_pte removed (set_pte_at_notify() is set_pte_at())',
    commits: [c('997308f9ae72', 'mmu_notifier: remove the .change_pte() callback', 'in the KVM pull request for the 6.10 merge window (shortlog)')],
  }),
  level('6.12', 'Linux 6.12', {
    ...MODERN_6_10,
    kernels: '6.12-7.0',
    change: 'none: the contract of 6.10, named for the Debian 6.12 tree mnlint is tested on',
  }),
  level('two-pass-v2', 'the two-pass series as posted (v2, March 2026)', {
    ...MODERN_6_10,
    kernels: 'series on 6.12-7.0',
    change: 'interval ops gain invalidate_start/invalidate_finish: the core calls every finish after the first pass (the series of seed 004, not in mainline)',
    twoPass: true,
  }),
  level('7.1', 'Linux 7.1: two-pass merged, insert WARNs on start without finish', {
    ...MODERN_6_10,
    kernels: '7.1',
    change: 'the two-pass series merged; mmu_interval_notifier_insert WARNs on invalidate_start without invalidate_finish (read from a 7.1.5 tree; the merge commit is not recorded)',
    twoPass: true,
    insertChecksFinish: true,
  }),
];

export const NEWEST: ApiLevel = API_LEVELS[API_LEVELS.length - 1]!;

/** The newest kernel major version a level is named after (7 for 7.1). */
const NEWEST_MAJOR = Math.max(...API_LEVELS.map((l) => Number(/^(\d+)\./.exec(l.id)?.[1] ?? 0)));

export function apiById(id: string): ApiLevel | undefined {
  return API_LEVELS.find((l) => l.id === id);
}

/** The level for a kernel version (`6.12`, `5.11.3`, `7.1.5`): the newest level not newer than it. */
export function apiForKernel(version: string): ApiLevel | undefined {
  const m = /^(\d+)\.(\d+)(?:\.\d+)?(?:-rc\d+)?$/.exec(version.trim());
  if (!m) return undefined;
  const v = Number(m[1]) * 1000 + Number(m[2]);
  // a release mnlint's newest level could describe: this major, or older
  if (v < 4019 || Number(m[1]) > NEWEST_MAJOR) return undefined;
  let best: ApiLevel | undefined;
  for (const l of API_LEVELS) {
    const lm = /^(\d+)\.(\d+)$/.exec(l.id);
    if (lm && Number(lm[1]) * 1000 + Number(lm[2]) <= v) best = l;
  }
  return best;
}

/**
 * What a kernel's include/linux/mmu_notifier.h declares (src/input/header.ts
 * reads it): the members of the two ops structs and the fields of struct
 * mmu_notifier_range, undefined for a struct the header does not define.
 */
export interface HeaderFacts {
  mmu_notifier_ops: readonly string[];
  mmu_interval_notifier_ops: readonly string[] | undefined;
  /** the fields of every definition of the range (the header's stub for !CONFIG_MMU_NOTIFIER too) */
  mmu_notifier_range: readonly string[] | undefined;
}

/** The facts a header shows of a level, in the shape of HeaderFacts. */
function factsOf(l: ApiLevel): HeaderFacts {
  return {
    mmu_notifier_ops: l.fields.mmu_notifier_ops,
    mmu_interval_notifier_ops: l.intervalNotifiers ? l.fields.mmu_interval_notifier_ops : undefined,
    mmu_notifier_range: l.rangeFields.length ? l.rangeFields : undefined,
  };
}

type Fact = (h: HeaderFacts) => boolean;

/**
 * The header facts that tell levels apart, the weightiest first: whether each
 * struct is defined, then each member or field some levels declare and others
 * do not (a member every level has, like release, tells nothing, and a
 * reduced header may leave it out): the interval ops' members, the hlist
 * ops', the range's.
 */
const TELLING_FACTS: readonly Fact[] = (() => {
  const facts: Fact[] = [(h) => h.mmu_interval_notifier_ops !== undefined, (h) => h.mmu_notifier_range !== undefined];
  const all = API_LEVELS.map(factsOf);
  for (const key of ['mmu_interval_notifier_ops', 'mmu_notifier_ops', 'mmu_notifier_range'] as const) {
    const lists = all.map((f) => f[key] ?? []);
    const union = [...new Set(lists.flat())].sort();
    for (const name of union) if (!lists.every((l) => l.includes(name))) facts.push((h) => (h[key] ?? []).includes(name));
  }
  return facts;
})();

const RELEASE_ID = /^\d+\.\d+$/;

/**
 * The level a tree is written for, from the facts of its
 * include/linux/mmu_notifier.h and the version of its top Makefile
 * (VERSION.PATCHLEVEL). The header names the levels whose structs it matches
 * (5.9, 5.11 and 5.12 share one: c2655835fd8c changed only
 * mm/mmu_notifier.c), fact by fact, the weightiest first (a reduced header
 * that matches no level on a fact keeps the levels it had); the version picks
 * among them. A version older than every level the header matches (a
 * back-port, a series applied to an older tree) takes the oldest of them; a
 * newer one, or none, the newest. Never from the code under review (the core
 * may be the thing a patch breaks).
 */
export function apiFromFacts(header: HeaderFacts, version?: string): ApiLevel {
  let family: readonly ApiLevel[] = API_LEVELS;
  for (const fact of TELLING_FACTS) {
    const agree = family.filter((l) => fact(factsOf(l)) === fact(header));
    if (agree.length) family = agree;
  }
  const byVersion = version ? apiForKernel(version) : undefined;
  if (byVersion && family.includes(byVersion)) return byVersion;
  const v = version ? versionNumber(version) : 0;
  if (v > 0) {
    // the released levels the version reaches; none: the header is newer than the tree says
    const reached = family.filter((l) => RELEASE_ID.test(l.id) && versionNumber(l.id) <= v);
    if (!reached.length) return family[0]!;
    if (family.some((l) => !RELEASE_ID.test(l.id))) return reached.at(-1)!;
  }
  return family[family.length - 1]!;
}

function versionNumber(version: string): number {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? Number(m[1]) * 1000 + Number(m[2]) : 0;
}

/** `VERSION = 6` and `PATCHLEVEL = 12` of a kernel's top Makefile, as `6.12`. */
export function versionOfMakefile(makefile: string): string | undefined {
  const v = /^VERSION\s*=\s*(\d+)\s*$/m.exec(makefile);
  const p = /^PATCHLEVEL\s*=\s*(\d+)\s*$/m.exec(makefile);
  return v && p ? `${v[1]}.${p[1]}` : undefined;
}
