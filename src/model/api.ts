// API levels of the mmu_notifier core: what the ops structs contain and how
// the core behaves, per kernel version. Written from include/linux/mmu_notifier.h
// and mm/mmu_notifier.c of the versions named, and the two-pass series (seed 004).
import { GET_PUT_MEMBERS, HLIST_BASE_MEMBERS, type SecondaryTlbMember, TWO_PASS_MEMBERS } from './ops.js';

export type ApiLevelId = '5.0' | '5.2' | '5.5' | '5.11' | '5.12' | '6.1' | '6.6' | '6.9' | '6.12' | 'two-pass-v2' | '7.1';

export interface ApiLevel {
  id: ApiLevelId;
  /** what a user can pass to --kernel / --api for this level */
  description: string;
  /** interval notifiers (mmu_interval_notifier_insert, ->invalidate) exist */
  intervalNotifiers: boolean;
  /** c2655835fd8c: after a failed start the core calls end on every notifier that has one */
  endAfterFailedStart: boolean;
  /** two-pass interval notifiers: invalidate_start / invalidate_finish */
  twoPass: boolean;
  /** mmu_interval_notifier_insert WARNs on invalidate_start without invalidate_finish (7.1) */
  insertChecksFinish: boolean;
  /** ops fields that exist at this level */
  fields: { mmu_notifier_ops: readonly string[]; mmu_interval_notifier_ops: readonly string[] };
}

function level(
  id: ApiLevelId,
  description: string,
  o: {
    endAfterFailedStart: boolean;
    twoPass?: boolean;
    insertChecksFinish?: boolean;
    secondaryTlbs: SecondaryTlbMember;
    changePte: boolean;
    hlistOnly?: boolean;
  },
): ApiLevel {
  return {
    id,
    description,
    intervalNotifiers: !o.hlistOnly,
    endAfterFailedStart: o.endAfterFailedStart,
    twoPass: o.twoPass ?? false,
    insertChecksFinish: o.insertChecksFinish ?? false,
    fields: {
      mmu_notifier_ops: [...HLIST_BASE_MEMBERS, ...(o.hlistOnly ? [] : GET_PUT_MEMBERS), o.secondaryTlbs, ...(o.changePte ? ['change_pte'] : [])],
      mmu_interval_notifier_ops: o.hlistOnly ? [] : ['invalidate', ...(o.twoPass ? TWO_PASS_MEMBERS : [])],
    },
  };
}

/** Ordered oldest first. */
export const API_LEVELS: readonly ApiLevel[] = [
  level('5.0', 'Linux 5.0 and 5.1: hlist only, struct mmu_notifier_range with a bool blockable field', { endAfterFailedStart: false, secondaryTlbs: 'invalidate_range', changePte: true, hlistOnly: true }),
  level('5.2', 'Linux 5.2 to 5.4: hlist only, mmu_notifier_range_blockable()', { endAfterFailedStart: false, secondaryTlbs: 'invalidate_range', changePte: true, hlistOnly: true }),
  level('5.5', 'Linux 5.5 to 5.11: interval notifiers; no end after a failed start', { endAfterFailedStart: false, secondaryTlbs: 'invalidate_range', changePte: true }),
  level('5.11', 'Linux 5.11 (before c2655835fd8c)', { endAfterFailedStart: false, secondaryTlbs: 'invalidate_range', changePte: true }),
  level('5.12', 'Linux 5.12 to 6.5: end called on every notifier after a failed start', { endAfterFailedStart: true, secondaryTlbs: 'invalidate_range', changePte: true }),
  level('6.1', 'Linux 6.1', { endAfterFailedStart: true, secondaryTlbs: 'invalidate_range', changePte: true }),
  level('6.6', 'Linux 6.6 to 6.8: arch_invalidate_secondary_tlbs replaces invalidate_range', { endAfterFailedStart: true, secondaryTlbs: 'arch_invalidate_secondary_tlbs', changePte: true }),
  level('6.9', 'Linux 6.9 to 7.0: change_pte removed', { endAfterFailedStart: true, secondaryTlbs: 'arch_invalidate_secondary_tlbs', changePte: false }),
  level('6.12', 'Linux 6.12', { endAfterFailedStart: true, secondaryTlbs: 'arch_invalidate_secondary_tlbs', changePte: false }),
  level('two-pass-v2', 'the two-pass series as posted (v2, March 2026)', { endAfterFailedStart: true, twoPass: true, secondaryTlbs: 'arch_invalidate_secondary_tlbs', changePte: false }),
  level('7.1', 'Linux 7.1: two-pass merged, insert WARNs on start without finish', {
    endAfterFailedStart: true,
    twoPass: true,
    insertChecksFinish: true,
    secondaryTlbs: 'arch_invalidate_secondary_tlbs',
    changePte: false,
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
  if (v < 5000 || Number(m[1]) > NEWEST_MAJOR) return undefined;
  let best: ApiLevel | undefined;
  for (const l of API_LEVELS) {
    const lm = /^(\d+)\.(\d+)$/.exec(l.id);
    if (lm && Number(lm[1]) * 1000 + Number(lm[2]) <= v) best = l;
  }
  return best;
}

/**
 * The level a tree is written for, from its include/linux/mmu_notifier.h
 * (which ops members and range fields it declares) and the version of its
 * top Makefile (VERSION.PATCHLEVEL): the header names the family, the
 * version the level within it. Never from the code under review (the core
 * may be the thing a patch breaks).
 */
export function apiFromHeader(header: string, version?: string): ApiLevel {
  const has = (member: string): boolean => new RegExp(`\\(\\*${member}\\)\\s*\\(`).test(header);
  const byVersion = version ? apiForKernel(version) : undefined;
  const within = (ids: readonly ApiLevelId[], fallback: ApiLevelId): ApiLevel => (byVersion && ids.includes(byVersion.id) ? byVersion : apiById(fallback)!);
  if (has('invalidate_start') && has('invalidate_finish')) {
    // the series as merged (7.1), or as posted on an older tree
    return byVersion && versionNumber(version!) >= 7001 ? apiById('7.1')! : apiById('two-pass-v2')!;
  }
  if (!/struct\s+mmu_interval_notifier_ops\s*\{/.test(header)) {
    return /struct\s+mmu_notifier_range\s*\{[^}]*\bbool\s+blockable\s*;/.test(header) ? apiById('5.0')! : apiById('5.2')!;
  }
  if (has('arch_invalidate_secondary_tlbs')) return has('change_pte') ? within(['6.6'], '6.6') : within(['6.9', '6.12'], '6.12');
  // 5.5 to 6.5 share this header: only the version tells c2655835fd8c (5.12) apart,
  // and without it the newest level the header allows is assumed
  return within(['5.5', '5.11', '5.12', '6.1'], '6.1');
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
