import type { Telegram } from 'telegraf';
import { formatBytes } from '../../domain/ingest-article.js';
import type { DownloadFile } from './bot-types.js';

/**
 * getFile, then a download from `<apiRoot>/file/bot<token>/<path>` (telegraf builds the link from the
 * same API root, so the loopback fake and a local Bot API server work too), with a deadline and a size
 * limit. The link holds the token: it never goes into an error message or a log line.
 */
export function createTelegramFileDownloader(
  telegram: Telegram,
  options: { timeoutMs: number },
): DownloadFile {
  return async (document, maxBytes) => {
    let link: URL;
    try {
      link = await telegram.getFileLink(document.fileId);
    } catch (error) {
      const description = (error as { description?: unknown }).description;
      throw new Error(
        typeof description === 'string' ? `Telegram said "${description}"` : 'Telegram did not give the file',
      );
    }
    const timeout = AbortSignal.timeout(options.timeoutMs);
    let response: Response;
    try {
      response = await fetch(link, { signal: timeout });
    } catch {
      throw new Error(
        timeout.aborted
          ? `the download did not finish within ${options.timeoutMs / 1000} s`
          : 'could not connect to Telegram to download it',
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`Telegram answered ${response.status} to the download`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body ?? []) {
        size += chunk.length;
        if (size > maxBytes) {
          await response.body?.cancel().catch(() => {});
          throw new RangeError(`the file is over the ${formatBytes(maxBytes)} limit (input.maxBytes)`);
        }
        chunks.push(chunk);
      }
    } catch (error) {
      if (error instanceof RangeError) throw new Error(error.message);
      throw new Error(
        timeout.aborted
          ? `the download did not finish within ${options.timeoutMs / 1000} s`
          : 'the download broke off',
      );
    }
    return Buffer.concat(chunks);
  };
}
