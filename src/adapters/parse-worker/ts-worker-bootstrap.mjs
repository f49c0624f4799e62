// Runs the TypeScript worker entry when quotecast runs from its sources (vitest, `tsx src/...`):
// a worker thread does not inherit the tsx loader, and Node 20 ignores `--import tsx` in a worker's
// execArgv, so the entry is imported through tsx's API. The bundle starts dist/parse-worker.mjs instead.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.entry, import.meta.url);
