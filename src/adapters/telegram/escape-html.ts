const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Escapes text for Telegram's `parse_mode: 'HTML'`: only `<`, `>` and `&` are special there, so a post
 * that quotes `<b>` or `&amp;` reaches readers as those literal characters. Quotes need no escaping
 * outside attribute values, and we never write tags ourselves.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (char) => ENTITIES[char] ?? char);
}
