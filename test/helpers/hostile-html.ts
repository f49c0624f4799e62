import { MAX_HTML_DEPTH } from '../../src/domain/ingest-limits.js';

/** Hostile pages (issue 11): built to nest too deep or to be slow to parse. */

export const PARAGRAPH =
  'After eleven years behind fences, the old harbour opened to the public, and by noon more than 3,000 people had walked its quay.';
export const nested = (levels: number) =>
  `<!doctype html><html><head><title>Deep</title></head><body>${'<div>'.repeat(levels)}<p>${PARAGRAPH}</p>${'</div>'.repeat(levels)}</body></html>`;
/** Thousands of blocks: inside the caps, but Readability needs a second or two for it. */
export const wide = (blocks: number) =>
  `<!doctype html><html><head><title>Wide</title></head><body><article>${Array.from(
    { length: blocks },
    (_, i) => `<div class="x"><span>${i}</span><p>${PARAGRAPH.replace('3,000', String(i))}</p></div>`,
  ).join('')}</article></body></html>`;
export const DEPTH_MESSAGE = `page too complex: more than ${MAX_HTML_DEPTH} nested elements`;
