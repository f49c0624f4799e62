/**
 * Boilerplate that must never become a post: a stray byline line, an author bio, a trailing
 * "sign up / subscribe / follow us" promo. Rules are regular expressions from config so a newsroom
 * can add its own house phrases; the defaults below cover the common shapes.
 */
export interface BoilerplateRules {
  /** A paragraph that is only a byline ("By Jane Doe", or a bare name on its own line). */
  readonly bylinePatterns: readonly string[];
  /** A paragraph that is an author bio ("The author is …", "Jane Doe is a journalist …"). */
  readonly bioPatterns: readonly string[];
  /** A promo paragraph ("Sign up for our newsletter", "Follow us on …"). */
  readonly promoPatterns: readonly string[];
  /** Bios and promos are only removed from this many paragraphs at the end of the article, so a
   * body paragraph that happens to mention subscriptions is kept. */
  readonly tailParagraphs: number;
}

export const DEFAULT_BOILERPLATE_RULES: BoilerplateRules = {
  bylinePatterns: [
    // "By Jane Doe", "By Jane Doe and John Roe", "BY JANE DOE | Staff writer"
    "^(by|By|BY)\\s+\\p{Lu}[\\p{L}'’.-]*(\\s+(and\\s+)?\\p{Lu}[\\p{L}'’.-]*){0,5}(\\s*[|,–—-].{0,40})?$",
    // A bare name: two to four capitalised words, no sentence punctuation ("Dmitry Babich")
    "^\\p{Lu}[\\p{L}'’-]+(\\s+(\\p{Lu}\\.|\\p{Lu}[\\p{L}'’-]+)){1,3}$",
  ],
  bioPatterns: [
    '^the\\s+(author|writer)s?\\s+(is|are|was)\\b',
    "^\\p{Lu}[\\p{L}'’.-]+(\\s+\\p{Lu}[\\p{L}'’.-]+){0,3}\\s+(is|was)\\s+an?\\s+.{0,100}\\b(journalist|writer|columnist|reporter|correspondent|editor|contributor|analyst|professor|author)\\b",
  ],
  promoPatterns: [
    '\\b(sign\\s+up|subscribe|newsletter|follow\\s+us|sent\\s+(directly\\s+)?to\\s+(you|your\\s+inbox)|download\\s+(our|the)\\s+app|support\\s+our\\s+journalism)\\b',
  ],
  tailParagraphs: 3,
};

export type BoilerplateKind = 'byline' | 'bio' | 'promo';

export interface RemovedParagraph {
  readonly kind: BoilerplateKind;
  readonly text: string;
  /** Position among the paragraphs it was removed from (0-based). */
  readonly index: number;
}

export interface CompiledBoilerplateRules {
  readonly byline: readonly RegExp[];
  readonly bio: readonly RegExp[];
  readonly promo: readonly RegExp[];
  readonly tailParagraphs: number;
}

/**
 * Patterns are case-insensitive, except those that name letter case (`\p{Lu}`, `\p{Ll}`, …): under
 * the `i` flag JavaScript lets `\p{Lu}` match any letter, so "two capitalised words" would match any
 * short line ("lower taxes for firms"). Such a pattern is compiled case-sensitively instead, which is
 * what it says.
 */
const NAMES_LETTER_CASE =
  /\\[pP]\{(?:gc=|General_Category=)?(?:Lu|Ll|Lt|LC|Uppercase_Letter|Lowercase_Letter|Titlecase_Letter|Cased_Letter|Uppercase|Lowercase|Upper|Lower)\}/;

export function boilerplatePatternFlags(pattern: string): string {
  return NAMES_LETTER_CASE.test(pattern) ? 'u' : 'iu';
}

/** Compiles rules once; throws with the offending pattern when one is not a valid expression. */
export function compileBoilerplateRules(rules: BoilerplateRules): CompiledBoilerplateRules {
  const compile = (pattern: string) => new RegExp(pattern, boilerplatePatternFlags(pattern));
  return {
    byline: rules.bylinePatterns.map(compile),
    bio: rules.bioPatterns.map(compile),
    promo: rules.promoPatterns.map(compile),
    tailParagraphs: rules.tailParagraphs,
  };
}

/** Byline lines are short; a long paragraph that happens to start "By …" is body text. */
const MAX_BYLINE_CHARS = 80;

export function classifyBoilerplate(
  paragraph: string,
  index: number,
  count: number,
  rules: CompiledBoilerplateRules,
): BoilerplateKind | undefined {
  if (paragraph.length <= MAX_BYLINE_CHARS && rules.byline.some((re) => re.test(paragraph))) return 'byline';
  if (index < count - rules.tailParagraphs) return undefined;
  if (rules.bio.some((re) => re.test(paragraph))) return 'bio';
  if (rules.promo.some((re) => re.test(paragraph))) return 'promo';
  return undefined;
}

/** Splits paragraphs into the body that may be posted and the boilerplate that was dropped. */
export function removeBoilerplate(
  paragraphs: readonly string[],
  rules: CompiledBoilerplateRules,
): { body: string[]; removed: RemovedParagraph[] } {
  const body: string[] = [];
  const removed: RemovedParagraph[] = [];
  paragraphs.forEach((text, index) => {
    const kind = classifyBoilerplate(text, index, paragraphs.length, rules);
    if (kind) removed.push({ kind, text, index });
    else body.push(text);
  });
  return { body, removed };
}

/** "By Jane Doe" -> "Jane Doe"; a bare name stays as it is. */
export function bylineName(line: string): string {
  return line
    .replace(/^by\s+/i, '')
    .replace(/\s*[|,–—-].*$/u, '')
    .trim();
}
