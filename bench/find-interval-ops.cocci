// The peer a user would reach for: locate every mmu_interval_notifier_ops table.
@r@
identifier ops;
position p;
@@
struct mmu_interval_notifier_ops ops@p = { ... };

@script:python@
ops << r.ops;
p << r.p;
@@
print("%s:%s: %s" % (p[0].file, p[0].line, ops))
