// The CLI's worker thread: the pool's side only (walk, prefilter, parse), so
// a worker loads the parser and not the whole command line.
import { runParseWorker } from '../engine/worker.js';

runParseWorker();
