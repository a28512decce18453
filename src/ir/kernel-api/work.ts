// Work items: the calls that bind a work item to its function, queue it, and
// wait for it. Read from include/linux/workqueue.h, include/linux/kthread.h
// and kernel/workqueue.c: flush_work() and cancel_work_sync() return only when
// the work function has finished (__flush_work() waits on a barrier queued
// behind it); flush_workqueue(), drain_workqueue() and destroy_workqueue()
// wait for every work queued on that workqueue; flush_scheduled_work() for the
// system workqueue's.

/** The workqueue schedule_work() queues on and flush_scheduled_work() flushes. */
export const SYSTEM_WQ = 'system_wq';

/** Binds a work item (argument `work`) to its function (argument `fn`). */
export const WORK_INITS: Readonly<Record<string, { readonly work: number; readonly fn: number }>> = {
  INIT_WORK: { work: 0, fn: 1 },
  INIT_WORK_ONSTACK: { work: 0, fn: 1 },
  __INIT_WORK: { work: 0, fn: 1 },
  INIT_DELAYED_WORK: { work: 0, fn: 1 },
  INIT_DELAYED_WORK_ONSTACK: { work: 0, fn: 1 },
  INIT_DEFERRABLE_WORK: { work: 0, fn: 1 },
  INIT_RCU_WORK: { work: 0, fn: 1 },
  INIT_RCU_WORK_ONSTACK: { work: 0, fn: 1 },
  DECLARE_WORK: { work: 0, fn: 1 },
  DECLARE_DELAYED_WORK: { work: 0, fn: 1 },
  DECLARE_DEFERRABLE_WORK: { work: 0, fn: 1 },
  kthread_init_work: { work: 0, fn: 1 },
  kthread_init_delayed_work: { work: 0, fn: 1 },
  DEFINE_KTHREAD_WORK: { work: 0, fn: 1 },
  DEFINE_KTHREAD_DELAYED_WORK: { work: 0, fn: 1 },
};

/** Queues a work item (argument `work`) on a workqueue (argument `queue`, or the system workqueue named here). */
export const WORK_QUEUES: Readonly<Record<string, { readonly queue: number | string; readonly work: number }>> = {
  queue_work: { queue: 0, work: 1 },
  queue_work_on: { queue: 1, work: 2 },
  queue_work_node: { queue: 1, work: 2 },
  queue_delayed_work: { queue: 0, work: 1 },
  queue_delayed_work_on: { queue: 1, work: 2 },
  mod_delayed_work: { queue: 0, work: 1 },
  mod_delayed_work_on: { queue: 1, work: 2 },
  queue_rcu_work: { queue: 0, work: 1 },
  schedule_work: { queue: SYSTEM_WQ, work: 0 },
  schedule_work_on: { queue: SYSTEM_WQ, work: 1 },
  schedule_delayed_work: { queue: SYSTEM_WQ, work: 0 },
  schedule_delayed_work_on: { queue: SYSTEM_WQ, work: 1 },
  kthread_queue_work: { queue: 0, work: 1 },
  kthread_queue_delayed_work: { queue: 0, work: 1 },
  kthread_mod_delayed_work: { queue: 0, work: 1 },
};

/** What a call waits for: the work item in argument `work`, or every work queued on the workqueue in argument `queue` (or named here). */
export type WorkWait = { readonly work: number } | { readonly queue: number | string };

export const WORK_WAITS: Readonly<Record<string, WorkWait>> = {
  flush_work: { work: 0 },
  flush_delayed_work: { work: 0 },
  flush_rcu_work: { work: 0 },
  cancel_work_sync: { work: 0 },
  cancel_delayed_work_sync: { work: 0 },
  disable_work_sync: { work: 0 },
  disable_delayed_work_sync: { work: 0 },
  kthread_flush_work: { work: 0 },
  kthread_cancel_work_sync: { work: 0 },
  kthread_cancel_delayed_work_sync: { work: 0 },
  flush_workqueue: { queue: 0 },
  drain_workqueue: { queue: 0 },
  destroy_workqueue: { queue: 0 },
  flush_scheduled_work: { queue: SYSTEM_WQ },
  kthread_flush_worker: { queue: 0 },
  kthread_destroy_worker: { queue: 0 },
};

/** What a call of `name` waits for, if it waits for work. */
export function workWait(name: string): WorkWait | undefined {
  return Object.hasOwn(WORK_WAITS, name) ? WORK_WAITS[name] : undefined;
}
