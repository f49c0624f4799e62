import { Worker } from 'node:worker_threads';
import {
  type BoilerplateRules,
  type CompiledBoilerplateRules,
  compileBoilerplateRules,
} from '../../domain/boilerplate.js';
import { decodeInput, finishIngest, type IngestOutcome } from '../../domain/ingest-input.js';
import { htmlComplexityProblem, markdownComplexityProblem } from '../../domain/ingest-limits.js';
import { ingestText } from '../../domain/ingest-text.js';
import type { DocumentParser, ParseRequest } from '../../ports/document-parser.js';
import type { ParseJob, WorkerReply } from './parse-protocol.js';

/**
 * Longest a parse may run. A real page, however big the caps let it be (30,000 elements), parses in
 * about 4 s here; a page built to be slow in some way the caps do not see is stopped at this.
 */
export const PARSE_TIMEOUT_MS = 10_000;
/**
 * The worker's heap (old generation). The largest accepted input (5 MB) parses in 64 MB as text,
 * Markdown or a page of 12,000 paragraphs, and in at most 128 MB as a page of 29,000 elements; past
 * this the worker dies, not the process, and the answer is "page too complex".
 */
export const PARSE_HEAP_MB = 256;
/** A worker left idle this long is stopped, giving its heap back; the next parse starts another. */
export const PARSE_IDLE_MS = 30_000;
/**
 * Plain text up to this size is read on the calling thread: reading it is linear and takes a few
 * milliseconds, less than starting a worker. Bigger text goes to the worker like HTML and Markdown.
 */
export const IN_PROCESS_TEXT_BYTES = 256 * 1024;

export interface WorkerParserOptions {
  readonly timeoutMs?: number;
  readonly maxHeapMb?: number;
  readonly idleMs?: number;
  readonly inProcessTextBytes?: number;
}

interface Pending {
  readonly job: ParseJob;
  readonly resolve: (outcome: IngestOutcome) => void;
  readonly reject: (error: Error) => void;
}

/**
 * A DocumentParser that reads HTML, Markdown and large text in one long-lived worker thread, one
 * document at a time, each under a time limit (the worker is terminated and replaced when a parse
 * runs over) and a heap limit (`resourceLimits`). The byte checks and the complexity caps run first
 * on the calling thread: they are linear and refuse a hostile page in milliseconds, before a worker
 * is even started. The worker is unref'd while idle, so it never keeps a process alive.
 */
export function createWorkerParser(options: WorkerParserOptions = {}): DocumentParser {
  const timeoutMs = options.timeoutMs ?? PARSE_TIMEOUT_MS;
  const maxHeapMb = options.maxHeapMb ?? PARSE_HEAP_MB;
  const idleMs = options.idleMs ?? PARSE_IDLE_MS;
  const inProcessTextBytes = options.inProcessTextBytes ?? IN_PROCESS_TEXT_BYTES;

  const queue: Pending[] = [];
  let worker: Worker | undefined;
  let ready = false;
  let running: Pending | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let idle: NodeJS.Timeout | undefined;
  let nextId = 1;
  let closed = false;
  let compiled: { key: string; rules: CompiledBoilerplateRules } | undefined;

  const rulesFor = (boilerplate: BoilerplateRules): CompiledBoilerplateRules => {
    const key = JSON.stringify(boilerplate);
    if (compiled?.key !== key) compiled = { key, rules: compileBoilerplateRules(boilerplate) };
    return compiled.rules;
  };

  function spawn(): Worker {
    const script = workerScript();
    const started = new Worker(script.url, {
      ...(script.entry ? { workerData: { entry: script.entry } } : {}),
      // Not the parent's flags: `--import tsx` there would fail in the worker (see the bootstrap).
      execArgv: process.execArgv.filter((flag) => flag === '--enable-source-maps'),
      resourceLimits: { maxOldGenerationSizeMb: maxHeapMb },
    });
    started.on('message', (reply: WorkerReply) => onReply(started, reply));
    started.on('error', (error) => onFailure(started, error));
    started.on('exit', (code) => onFailure(started, new Error(`the parse worker exited with code ${code}`)));
    return started;
  }

  /** Drops the current worker (a replacement starts with the next job). */
  function discard(): Worker | undefined {
    const old = worker;
    worker = undefined;
    ready = false;
    return old;
  }

  function onReply(from: Worker, reply: WorkerReply): void {
    if (from !== worker) return;
    if ('ready' in reply) {
      ready = true;
      dispatch();
      return;
    }
    if (!running || reply.id !== running.job.id) return;
    const done = running;
    running = undefined;
    clearTimeout(deadline);
    if ('outcome' in reply) done.resolve(reply.outcome);
    else done.reject(new Error(`parsing ${done.job.source} failed: ${reply.error}`));
    dispatch();
  }

  function onFailure(from: Worker, error: Error): void {
    if (from !== worker) return; // a worker we already replaced (timed out, idle, closed)
    discard();
    clearTimeout(deadline);
    const code = (error as { code?: string }).code;
    if (running) {
      const done = running;
      running = undefined;
      if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
        done.resolve(
          tooComplex(
            `page too complex: parsing ${done.job.source} needed more than ${maxHeapMb} MB of memory; nothing was read`,
          ),
        );
      } else {
        done.reject(new Error(`the parse worker failed on ${done.job.source}: ${error.message}`));
      }
      dispatch();
      return;
    }
    // It failed before taking a job (it could not load): every waiting job would fail the same way.
    for (const waiting of queue.splice(0)) {
      waiting.reject(new Error(`the parse worker could not start: ${error.message}`));
    }
  }

  function onTimeout(): void {
    const done = running;
    running = undefined;
    void discard()?.terminate();
    if (done) {
      done.resolve(
        tooComplex(
          `page too complex: parsing ${done.job.source} took longer than ${formatSeconds(timeoutMs)}; nothing was read`,
        ),
      );
    }
    dispatch();
  }

  function dispatch(): void {
    if (closed || running) return;
    if (queue.length === 0) {
      worker?.unref();
      clearTimeout(idle);
      if (worker) idle = setTimeout(() => void discard()?.terminate(), idleMs).unref();
      return;
    }
    clearTimeout(idle);
    if (!worker) worker = spawn();
    worker.ref();
    if (!ready) return; // dispatch runs again on "ready"
    running = queue.shift()!;
    deadline = setTimeout(onTimeout, timeoutMs);
    worker.postMessage(running.job);
  }

  return {
    async parse(request: ParseRequest): Promise<IngestOutcome> {
      if (closed) throw new Error('the document parser is closed');
      const input = decodeInput(request.bytes, request);
      if (!input.ok) return input;
      const { raw, format } = input;
      const { source, metadata } = request;
      const problem =
        format === 'html'
          ? htmlComplexityProblem(raw, source)
          : format === 'markdown'
            ? markdownComplexityProblem(raw, source)
            : undefined;
      if (problem) return tooComplex(problem);
      if (format === 'text' && request.bytes.length <= inProcessTextBytes)
        return finishIngest(ingestText(raw, rulesFor(request.boilerplate), metadata), 'text', source);
      return new Promise<IngestOutcome>((resolve, reject) => {
        const job: ParseJob = {
          id: nextId++,
          raw,
          format,
          source,
          metadata,
          boilerplate: request.boilerplate,
        };
        queue.push({ job, resolve, reject });
        dispatch();
      });
    },

    async close(): Promise<void> {
      closed = true;
      clearTimeout(deadline);
      clearTimeout(idle);
      const stopped = [...(running ? [running] : []), ...queue.splice(0)];
      running = undefined;
      for (const pending of stopped) pending.reject(new Error('the document parser was closed'));
      await discard()?.terminate();
    },
  };
}

function tooComplex(message: string): IngestOutcome {
  return { ok: false, problem: { code: 'too-complex', message } };
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * The worker's script. From the TypeScript sources (vitest, tsx) this file ends in .ts, and the
 * worker loads parse-worker-main.ts through a bootstrap that registers tsx; in the esbuild bundle
 * the worker is dist/parse-worker.mjs (scripts/build.mjs builds both), and this code is in a chunk
 * of the commands that parse, dist/chunks/*.mjs (build.mjs's `chunkNames`), or in the bundle itself.
 */
function workerScript(): { url: URL; entry?: string } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    return {
      url: new URL('./ts-worker-bootstrap.mjs', here),
      entry: new URL('./parse-worker-main.ts', here).href,
    };
  }
  return { url: new URL(/\/chunks\/[^/]*$/.test(here) ? '../parse-worker.mjs' : './parse-worker.mjs', here) };
}
