import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/**
 * What reading a response body gave: its bytes, decoded from gzip, deflate or br; `too-large` once
 * the decoded size passed the limit (the connection is dropped there, so at most one chunk more
 * than the limit is ever held); `cut` when it did not arrive whole (a reset, a connection closed
 * mid-body, the deadline or the caller's signal).
 */
export type BodyRead =
  | { readonly kind: 'ok'; readonly bytes: Uint8Array }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'cut' };

/**
 * Reads the (decoded) body of `response` up to `limit` bytes. Used by the article fetcher and the
 * feed fetcher alike: the limit counts decoded bytes, so a small gzip bomb is stopped as early as
 * a big page.
 */
export async function readBody(
  response: IncomingMessage,
  limit: number,
  signal: AbortSignal,
): Promise<BodyRead> {
  const onAbort = () => response.destroy(new Error('aborted'));
  signal.addEventListener('abort', onAbort, { once: true });
  const decoder = decoderFor(response.headers['content-encoding']);
  const body: Readable = decoder ? response.pipe(decoder) : response;
  if (decoder) response.on('error', (error) => decoder.destroy(error));
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        response.destroy();
        decoder?.destroy();
        return { kind: 'too-large' };
      }
      chunks.push(chunk);
    }
  } catch {
    return { kind: 'cut' };
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  // A connection closed mid-body can end the stream without an error: only a complete message counts.
  if (!response.complete || signal.aborted) return { kind: 'cut' };
  return { kind: 'ok', bytes: Buffer.concat(chunks) };
}

/** The decompressor for a Content-Encoding; none for identity or one we did not ask for. */
export function decoderFor(encoding: string | undefined) {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}
