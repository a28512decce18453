import { atLine, step, about } from './support.js';
import { defineRule } from './rule.js';

export default defineRule({
  id: 'ops-member-undocumented',
  title: 'ops struct member missing from its kernel-doc',
  severity: 'warning',
  invariant: 'API',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'In the definition of `struct mmu_interval_notifier_ops` or `struct mmu_notifier_ops` (include/linux/mmu_notifier.h, or a patch to it), warns on a callback member that the kernel-doc comment above the struct does not describe with an `@member:` line. Structs documented without a kernel-doc block are not checked.',
    why: 'The ops kernel-doc is the contract drivers implement: when it may be called, whether it may sleep, what a false return means. A new member without its `@member:` line leaves that contract to the code, and `scripts/kernel-doc` warns "member not described". Reviewers of the two-pass series asked for exactly this update.',
    bad: `/**
 * struct mmu_interval_notifier_ops
 * @invalidate: Upon return the caller must stop using any SPTEs within this range.
 */
struct mmu_interval_notifier_ops {
	bool (*invalidate)(struct mmu_interval_notifier *interval_sub,
			   const struct mmu_notifier_range *range, unsigned long cur_seq);
	void (*invalidate_finish)(struct mmu_interval_notifier_finish *finish);
};
`,
    good: `/**
 * struct mmu_interval_notifier_ops
 * @invalidate: Upon return the caller must stop using any SPTEs within this range.
 * @invalidate_finish: The second pass, for a finish handed out by the first.
 */
struct mmu_interval_notifier_ops {
	bool (*invalidate)(struct mmu_interval_notifier *interval_sub,
			   const struct mmu_notifier_range *range, unsigned long cur_seq);
	void (*invalidate_finish)(struct mmu_interval_notifier_finish *finish);
};
`,
    references: [
      'Documentation/doc-guide/kernel-doc.rst: structure members',
      '[PATCH v2 1/4] mm/mmu_notifier: Allow two-pass struct mmu_interval_notifiers (the kernel-doc it adds for @invalidate_start and @invalidate_finish)',
    ],
  },
  messages: {
    undocumented: 'struct {{kind}} member {{m}} has no @{{m}}: line in the kernel-doc above the struct',
  },
  checkFile(file, ctx) {
    for (const s of file.opsStructs ?? []) {
      if (!s.documented.length) continue;
      for (const m of s.members) {
        if (s.documented.includes(m.name)) continue;
        ctx.report({
          ...atLine(file.file, m.line),
          function: null,
          messageId: 'undocumented',
          about: about(null, null, 'member', [m.name]),
          data: { kind: s.kind, m: m.name },
          steps: [step({ file: file.file, line: s.line }, `struct ${s.kind}, documented: ${s.documented.map((d) => `@${d}`).join(', ')}`, 'note')],
        });
      }
    }
  },
});
