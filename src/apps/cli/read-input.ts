import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { formatBytes } from '../../domain/ingest-article.js';
import { CliError } from './cli-error.js';

/**
 * Reads FILE, or standard input for `-` or no FILE, refusing more than `maxBytes` without reading
 * the rest (a wrong file can be huge). Returns the bytes; decoding is the domain's job.
 */
export async function readInput(
  file: string | undefined,
  maxBytes: number,
  stdin: NodeJS.ReadableStream,
): Promise<{ bytes: Buffer; source: string }> {
  const fromStdin = file === undefined || file === '-';
  const source = fromStdin ? 'standard input' : file;
  if (!fromStdin) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CliError(
        code === 'ENOENT'
          ? `${file}: no such file; check the path`
          : `${file}: cannot read (${code ?? 'error'})`,
      );
    }
    if (info.isDirectory()) throw new CliError(`${file} is a directory; give an article file`);
    if (info.size > maxBytes) {
      throw new CliError(
        `${file} is ${formatBytes(info.size)}, over the ${formatBytes(maxBytes)} limit; split the article or raise input.maxBytes in the config`,
      );
    }
  }
  if (fromStdin && (stdin as { isTTY?: boolean }).isTTY) {
    throw new CliError(
      'no article given: pass a FILE, or pipe the article into standard input (use - for stdin)',
    );
  }
  const stream = fromStdin ? stdin : createReadStream(file);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > maxBytes) {
      (stream as { destroy?: () => void }).destroy?.();
      throw new CliError(
        `${source} is over the ${formatBytes(maxBytes)} limit; split the article or raise input.maxBytes in the config`,
      );
    }
    chunks.push(buffer);
  }
  return { bytes: Buffer.concat(chunks), source };
}
