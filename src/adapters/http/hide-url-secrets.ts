/** An http(s) URL inside a line of text, up to the next space or quote. */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>]+/gi;
/** Punctuation that ends a sentence after a URL rather than belonging to it. */
const TRAILING = /[.,;:!?)\]]+$/;

/**
 * The text with every http(s) URL's credentials and query string hidden: a private feed's URL often
 * carries its key there (`https://user:pass@host/feed`, `…/feed?token=…`), and error messages that
 * name the URL end up in the store, the log, `status` and Telegram. The host and path stay, which is
 * what an admin needs to tell one feed from another: `https://host/feed?…`.
 */
export function hideUrlSecrets(text: string): string {
  return text.replace(URL_IN_TEXT, (found) => {
    const tail = TRAILING.exec(found)?.[0] ?? '';
    const url = found.slice(0, found.length - tail.length);
    const withoutUser = url.replace(/^(https?:\/\/)[^/?#]*@/i, '$1');
    const withoutQuery = withoutUser.replace(/\?[^#]+/, '?…');
    return `${withoutQuery}${tail}`;
  });
}
