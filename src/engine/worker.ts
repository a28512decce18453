// The worker thread's side of the pool: a task in, its result out.
import { parentPort } from 'node:worker_threads';
import { runTask, type Task } from './pool.js';

export function runParseWorker(): void {
  parentPort!.on('message', async (task: Task) => {
    try {
      parentPort!.postMessage({ result: await runTask(task) });
    } catch (e) {
      parentPort!.postMessage({ error: (e as Error).message });
    }
  });
}
