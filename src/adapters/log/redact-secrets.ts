/** Secrets shorter than this are not redacted: they would blank out ordinary words and numbers. */
const MIN_SECRET_LENGTH = 4;

const redactors = new WeakMap<readonly string[], (text: string) => string>();

/**
 * Redacts every secret (at least 4 characters long) wherever it appears in `text`, in any form a
 * secret takes on its way into a log line: as is, escaped inside a JSON string (`\"`, `\\`, `\/`,
 * `\uXXXX`), percent-encoded in a URL, a form body or an OAuth header (`%XX`, `+` for a space), or a
 * mixture (a URL parser encodes some characters and leaves others). Longer secrets go first, so a
 * secret that contains another one is not left half redacted.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redact = redactors.get(secrets);
  if (!redact) {
    redact = createRedactor(secrets);
    redactors.set(secrets, redact);
  }
  return redact(text);
}

/**
 * `redactSecrets` for a list of secrets, with their patterns built once. The list may grow after
 * this is made (the runtime appends each X OAuth 2.0 token it refreshes): the patterns are rebuilt
 * when it does, so a token issued at run time is redacted from the next line on.
 */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  let builtFor = -1;
  let patterns: RegExp[] = [];
  return (text) => {
    if (builtFor !== secrets.length) {
      patterns = patternsOf(secrets);
      builtFor = secrets.length;
    }
    let out = text;
    for (const pattern of patterns) out = out.replace(pattern, '[redacted]');
    return out;
  };
}

function patternsOf(secrets: readonly string[]): RegExp[] {
  return [...new Set(secrets)]
    .filter((secret) => secret.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length)
    .map((secret) => new RegExp([...secret].map(anyFormOf).join(''), 'g'));
}

/** A pattern matching one character (a code point) as is, JSON-escaped or percent-encoded. */
function anyFormOf(char: string): string {
  const forms = [char.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')];
  // JSON: \uXXXX for each UTF-16 unit (any hex case), and the short escapes.
  forms.push([...Array(char.length).keys()].map((i) => `\\\\u${hex(char.charCodeAt(i), 4)}`).join(''));
  const short = JSON_SHORT_ESCAPES[char];
  if (short) forms.push(`\\\\${short}`);
  // Percent-encoding of the UTF-8 bytes (any hex case); `+` for a space in form bodies.
  forms.push([...Buffer.from(char, 'utf8')].map((byte) => `%${hex(byte, 2)}`).join(''));
  if (char === ' ') forms.push('\\+');
  return `(?:${forms.join('|')})`;
}

const JSON_SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\\\',
  '/': '\\/',
  '\b': 'b',
  '\f': 'f',
  '\n': 'n',
  '\r': 'r',
  '\t': 't',
};

/** `n` as `width` hex digits, each letter matching either case. */
function hex(n: number, width: number): string {
  return [...n.toString(16).padStart(width, '0')]
    .map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit))
    .join('');
}
