// The parse worker's side of the pool: text in, IR out.
import { parentPort } from 'node:worker_threads';
import { parseInMode, type ParseMode } from './pool.js';

export function runParseWorker(): void {
  parentPort!.on('message', async (msg: { id: number; file: string; text: string; wanted: string[]; mode: ParseMode }) => {
    try {
      const ir = await parseInMode(msg.file, msg.text, msg.wanted, msg.mode);
      parentPort!.postMessage({ id: msg.id, ir });
    } catch (e) {
      parentPort!.postMessage({ id: msg.id, error: (e as Error).message });
    }
  });
}
