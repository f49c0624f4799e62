/**
 * A secret as it can show in a log line or a URL: raw, JSON-escaped (as JSON.stringify writes it, and
 * as ASCII-only JSON), and percent-encoded (encodeURIComponent, and RFC 3986 as OAuth signs it).
 */
export function formsOf(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const ascii = json.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const uri = encodeURIComponent(secret);
  const rfc3986 = uri.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return [...new Set([secret, json, ascii, uri, rfc3986])];
}

/** Every string in a decoded JSON value, keys included. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, v]) => [key, ...stringsIn(v)]);
  return [];
}
