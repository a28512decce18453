// The work of a scan that runs in parallel: prefiltering batches of files,
// listing the functions files define, and parsing. A pool of worker threads,
// each with its own tree-sitter instance, or the same work in-process.
import { Worker } from 'node:worker_threads';
import type { FileIR } from '../ir/types.js';
import { notifierMention, readLatin1, readSource, describeFsError } from '../input/files.js';
import { parseNeededToIR, textFactsOf } from '../parser/index.js';
import { lineStartNames } from '../parser/slice.js';
import { nameFilter } from './name-filter.js';

export const WORKER_ROLE = 'mnlint-parse-worker';

export type Mention = 'tables' | 'mention' | false | { error: string };

export type Task =
  | { kind: 'parse'; file: string; text: string; wanted: readonly string[] }
  | { kind: 'prefilter'; paths: readonly string[] }
  | { kind: 'names'; paths: readonly string[] }
  | { kind: 'facts'; files: ReadonlyArray<{ path: string; file: string }> };

export type Facts = FileIR | { error: string };

export type TaskResult = FileIR | Mention[] | Uint32Array[] | Facts[];

export interface WorkPool {
  /** parses the tables of the file, their callbacks and the wanted functions (see parseNeededToIR) */
  parse(file: string, text: string, wanted: readonly string[]): Promise<FileIR>;
  /** the prefilter verdict of each path, in order */
  prefilter(paths: readonly string[]): Promise<Mention[]>;
  /** a filter of the names each file may define (line-start `name(`; see name-filter.ts), in order */
  names(paths: readonly string[]): Promise<Uint32Array[]>;
  /** text-only facts of files that use the API (see textFactsOf), in order */
  facts(files: ReadonlyArray<{ path: string; file: string }>): Promise<Facts[]>;
  close(): Promise<void>;
}

/** Runs one task; the same code in a worker thread and in-process. */
export async function runTask(task: Task): Promise<TaskResult> {
  switch (task.kind) {
    case 'parse':
      return parseNeededToIR(task.file, task.text, task.wanted);
    case 'prefilter':
      return task.paths.map((p) => {
        try {
          return notifierMention(p);
        } catch (e) {
          return { error: describeFsError(e) };
        }
      });
    case 'names':
      // raw text is enough: a false hit in a comment only costs a parse
      return task.paths.map((p) => {
        const names = lineStartNames(readLatin1(p));
        return nameFilter(names, names.size);
      });
    case 'facts':
      return task.files.map(({ path, file }) => {
        try {
          return textFactsOf(file, readSource(path));
        } catch (e) {
          return { error: describeFsError(e) };
        }
      });
  }
}

function typed(run: (task: Task) => Promise<TaskResult>): WorkPool {
  return {
    parse: (file, text, wanted) => run({ kind: 'parse', file, text, wanted }) as Promise<FileIR>,
    prefilter: (paths) => run({ kind: 'prefilter', paths }) as Promise<Mention[]>,
    names: (paths) => run({ kind: 'names', paths }) as Promise<Uint32Array[]>,
    facts: (files) => run({ kind: 'facts', files }) as Promise<Facts[]>,
    close: async () => {},
  };
}

export function inProcessPool(): WorkPool {
  return typed(runTask);
}

interface Job {
  task: Task;
  resolve: (r: TaskResult) => void;
  reject: (e: Error) => void;
}

export function workerPool(script: URL, size: number): WorkPool {
  const workers: Worker[] = [];
  const idle: Worker[] = [];
  const queue: Job[] = [];
  const running = new Map<Worker, Job>();
  const pump = (): void => {
    while (idle.length && queue.length) {
      const w = idle.pop()!;
      const job = queue.shift()!;
      running.set(w, job);
      w.postMessage(job.task);
    }
  };
  const spawn = (): void => {
    const w = new Worker(script, { workerData: { role: WORKER_ROLE } });
    w.on('message', (msg: { result?: TaskResult; error?: string }) => {
      const job = running.get(w);
      running.delete(w);
      idle.push(w);
      if (job) {
        if (msg.error === undefined) job.resolve(msg.result!);
        else job.reject(new Error(msg.error));
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
  const pool = typed((task) => {
    if (workers.length < size) spawn();
    return new Promise<TaskResult>((resolve, reject) => {
      queue.push({ task, resolve, reject });
      pump();
    });
  });
  pool.close = async () => {
    await Promise.all(workers.map((w) => w.terminate()));
  };
  return pool;
}
