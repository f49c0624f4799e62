// The normalisation moved to canonical-url.ts: articles and feed items share it.
export { canonicalUrl } from './canonical-url.js';
