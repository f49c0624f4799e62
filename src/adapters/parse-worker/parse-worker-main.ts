/**
 * The parse worker's thread: receives decoded documents, answers with their ingest outcome. Started
 * by create-worker-parser.ts (as dist/parse-worker.mjs in the bundle, through tsx from sources).
 */
import { parentPort } from 'node:worker_threads';
import { type CompiledBoilerplateRules, compileBoilerplateRules } from '../../domain/boilerplate.js';
import { parseDecoded } from '../../domain/ingest-article.js';
import { DOCUMENT_READERS } from '../document/document-readers.js';
import type { ParseJob, WorkerReply } from './parse-protocol.js';

const port = parentPort;
if (!port) throw new Error('parse-worker-main.ts runs in a worker thread only');

/** The rules of the last job: a daemon parses with the same settings every time. */
let compiled: { key: string; rules: CompiledBoilerplateRules } | undefined;

function rulesFor(job: ParseJob): CompiledBoilerplateRules {
  const key = JSON.stringify(job.boilerplate);
  if (compiled?.key !== key) compiled = { key, rules: compileBoilerplateRules(job.boilerplate) };
  return compiled.rules;
}

port.on('message', (job: ParseJob) => {
  let reply: WorkerReply;
  try {
    const outcome = parseDecoded(
      job.raw,
      job.format,
      {
        rules: rulesFor(job),
        source: job.source,
        metadata: job.metadata,
      },
      DOCUMENT_READERS,
    );
    reply = { id: job.id, outcome };
  } catch (error) {
    reply = { id: job.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply);
});

port.postMessage({ ready: true } satisfies WorkerReply);
