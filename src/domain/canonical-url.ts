/**
 * Query parameters that only say where a reader came from. Stripped, the same story linked from a
 * newsletter and from the feed is one URL. `ref` stays: on some sites it selects content.
 */
const TRACKING = /^(utm_.*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|_hsenc|_hsmi)$/i;

/**
 * The form of a link used to recognise an article again: scheme and host lower-cased, default port,
 * fragment and tracking parameters dropped, a trailing slash dropped (not the root's). The remaining
 * query keeps its order: sites rarely reorder their own links, and a link we publish should be the
 * site's. Undefined for anything that is not an http(s) URL.
 *
 * The one normalisation used everywhere a story is matched by its link: feed items, the articles'
 * `canonical_url` (a story added by /add from a newsletter link and the same story in the feed are
 * one article), publish's look for a pulled or held twin.
 */
export function canonicalUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  for (const key of [...url.searchParams.keys()]) if (TRACKING.test(key)) url.searchParams.delete(key);
  // URL already lower-cases scheme and host and drops a default port.
  let href = url.href;
  if (url.search === '' && href.endsWith('?')) href = href.slice(0, -1);
  if (url.pathname.length > 1 && url.pathname.endsWith('/')) {
    const path = url.pathname.replace(/\/+$/, '');
    href = `${url.origin}${path}${url.search}`;
  }
  return href;
}
