// Shared C for the two-pass rules' examples: the callbacks of seed 004's API.
export const START_SIG = `static bool drv_start(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
		      unsigned long cur_seq, struct mmu_interval_notifier_finish **finish)`;
export const FINISH_FN = `static void drv_finish(struct mmu_interval_notifier_finish *finish)
{
	struct drv_job *job = container_of(finish, struct drv_job, finish);

	drv_wait(job);
	kfree(job);
}
`;
