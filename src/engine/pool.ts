// Parsing in parallel: a pool of worker threads, each with its own tree-sitter
// instance. The main thread walks and prefilters while the workers parse.
import { Worker } from 'node:worker_threads';
import type { FileIR } from '../ir/types.js';
import { parseFunctionsToIR, parseToIR } from '../parser/index.js';

export interface ParsePool {
  /** `full` parses the whole file; `functions` only the wanted definitions */
  parse(file: string, text: string, wanted: readonly string[], mode: ParseMode): Promise<FileIR>;
  close(): Promise<void>;
}

export const WORKER_ROLE = 'mnlint-parse-worker';

export type ParseMode = 'full' | 'functions';

export function parseInMode(file: string, text: string, wanted: readonly string[], mode: ParseMode): Promise<FileIR> {
  return mode === 'full' ? parseToIR(file, text, wanted) : parseFunctionsToIR(file, text, wanted);
}

export function inProcessPool(): ParsePool {
  return { parse: parseInMode, close: async () => {} };
}

interface Job {
  id: number;
  file: string;
  text: string;
  wanted: readonly string[];
  mode: ParseMode;
  resolve: (ir: FileIR) => void;
  reject: (e: Error) => void;
}

export function workerPool(script: URL, size: number): ParsePool {
  const workers: Worker[] = [];
  const idle: Worker[] = [];
  const queue: Job[] = [];
  const running = new Map<Worker, Job>();
  let nextId = 0;
  const pump = (): void => {
    while (idle.length && queue.length) {
      const w = idle.pop()!;
      const job = queue.shift()!;
      running.set(w, job);
      w.postMessage({ id: job.id, file: job.file, text: job.text, wanted: job.wanted, mode: job.mode });
    }
  };
  const spawn = (): void => {
    const w = new Worker(script, { workerData: { role: WORKER_ROLE } });
    w.on('message', (msg: { id: number; ir?: FileIR; error?: string }) => {
      const job = running.get(w);
      running.delete(w);
      idle.push(w);
      if (job) {
        if (msg.ir) job.resolve(msg.ir);
        else job.reject(new Error(msg.error ?? 'parse failed'));
      }
      pump();
    });
    w.on('error', (e) => {
      const job = running.get(w);
      running.delete(w);
      if (job) job.reject(e);
    });
    workers.push(w);
    idle.push(w);
  };
  return {
    parse(file, text, wanted, mode) {
      if (workers.length < size) spawn();
      return new Promise<FileIR>((resolve, reject) => {
        queue.push({ id: nextId++, file, text, wanted, mode, resolve, reject });
        pump();
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
