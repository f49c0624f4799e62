/**
 * Complexity caps checked before a document parser sees the input. Readability walks the DOM's
 * ancestors again and again, so its time grows much faster than the page: a 17 KB page of 1,500
 * nested <div>s took 20 s, 10,000 levels overflowed the stack, and marked recurses once per nested
 * blockquote or list. One linear pass over the text, stopping at the first cap crossed, refuses such
 * an input in milliseconds with a message an editor can act on.
 *
 * The caps leave real articles far inside them:
 * - HTML depth 256. News pages nest 30 to 60 elements deep (the deepest wrappers of component-built
 *   pages reach about 100); Readability reads a page nested 256 deep in about half a second here,
 *   400 in 0.7 s, 800 in 3 s and 1,500 in 20 s.
 * - HTML elements 30,000. An article page has 1,000 to 5,000 elements, a long live blog about
 *   15,000; Readability needs about 4 s for 30,000 on this machine (it is roughly linear in them).
 * - Markdown nesting 32 (blockquotes and lists together). Articles quote a quotation at most two or
 *   three levels deep and nest lists three or four; marked needs 12 s for a list nested 1,000 deep
 *   and overflows its stack at a few thousand.
 */
export const MAX_HTML_DEPTH = 256;
export const MAX_HTML_ELEMENTS = 30_000;
export const MAX_MARKDOWN_DEPTH = 32;

export interface HtmlLimits {
  readonly maxDepth: number;
  readonly maxElements: number;
}

export const HTML_LIMITS: HtmlLimits = { maxDepth: MAX_HTML_DEPTH, maxElements: MAX_HTML_ELEMENTS };

/** What a scan found: the deepest nesting and the element count, up to the first cap crossed. */
export interface HtmlComplexity {
  readonly depth: number;
  readonly elements: number;
  /** The cap crossed, if any; the scan stops there. */
  readonly over?: 'depth' | 'elements';
}

/**
 * Tree-building rules of htmlparser2 (the parser under linkedom), so the depth counted here is the
 * depth of the DOM Readability will walk: opening one of these tags first closes the elements it
 * implies closed, while one of them is the innermost open element ("<p>one<p>two" are siblings).
 */
const P = ['p'];
const FORM = ['input', 'option', 'optgroup', 'select', 'button', 'datalist', 'textarea'];
const IMPLIED_CLOSE = new Map<string, ReadonlySet<string>>([
  ['tr', new Set(['tr', 'th', 'td'])],
  ['th', new Set(['th'])],
  ['td', new Set(['thead', 'th', 'td'])],
  ['body', new Set(['head', 'link', 'script'])],
  ['li', new Set(['li'])],
  ['option', new Set(['option'])],
  ['optgroup', new Set(['optgroup', 'option'])],
  ['dd', new Set(['dd', 'dt'])],
  ['dt', new Set(['dd', 'dt'])],
  ['rt', new Set(['rt', 'rp'])],
  ['rp', new Set(['rt', 'rp'])],
  ['tbody', new Set(['thead', 'tbody'])],
  ['tfoot', new Set(['thead', 'tbody'])],
  ...['select', 'input', 'output', 'button', 'datalist', 'textarea'].map(
    (tag) => [tag, new Set(FORM)] as [string, ReadonlySet<string>],
  ),
  ...[
    'p',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'address',
    'article',
    'aside',
    'blockquote',
    'details',
    'div',
    'dl',
    'fieldset',
    'figcaption',
    'figure',
    'footer',
    'form',
    'header',
    'hr',
    'main',
    'nav',
    'ol',
    'pre',
    'section',
    'table',
    'ul',
  ].map((tag) => [tag, new Set(P)] as [string, ReadonlySet<string>]),
]);

const VOID = new Set(
  'area base basefont br col command embed frame hr img input isindex keygen link meta param source track wbr'.split(
    ' ',
  ),
);
/** Elements whose content is text up to their end tag, never markup. */
const RAW_TEXT = new Set(['script', 'style', 'title', 'textarea', 'xmp']);
/** Inside these a "/>" closes the element (SVG, MathML); in HTML it is ignored. */
const FOREIGN = new Set(['svg', 'math']);
const INTEGRATION = new Set([
  'mi',
  'mo',
  'mn',
  'ms',
  'mtext',
  'annotation-xml',
  'foreignobject',
  'desc',
  'title',
]);

const NAME_START = /[A-Za-z]/;
/** The end tag of each raw-text element, found case-insensitively. */
const RAW_TEXT_END = new Map([...RAW_TEXT].map((name) => [name, new RegExp(`</${name}`, 'gi')]));

/**
 * Scans HTML once, left to right, counting start tags and the depth of open elements as the parser
 * will build them (implied closes, void elements, raw-text elements, comments, quoted attributes).
 * Stops at the first cap crossed, so a hostile page costs one pass over its first few kilobytes.
 */
export function scanHtmlComplexity(html: string, limits: HtmlLimits = HTML_LIMITS): HtmlComplexity {
  /** Open elements, innermost last, with whether each opened a foreign (SVG/MathML) context. */
  const stack: string[] = [];
  const foreign: boolean[] = [false];
  let depth = 0;
  let elements = 0;
  let i = 0;
  const length = html.length;
  while (i < length) {
    const lt = html.indexOf('<', i);
    if (lt === -1 || lt + 1 >= length) break;
    const next = html[lt + 1]!;
    if (next === '!') {
      const close = html.startsWith('<!--', lt)
        ? html.indexOf('-->', lt + 4)
        : html.startsWith('<![CDATA[', lt)
          ? html.indexOf(']]>', lt + 9)
          : html.indexOf('>', lt + 2);
      if (close === -1) break;
      i = close + 1;
      continue;
    }
    if (next === '?') {
      const close = html.indexOf('>', lt + 2);
      if (close === -1) break;
      i = close + 1;
      continue;
    }
    if (next === '/') {
      if (!NAME_START.test(html[lt + 2] ?? '')) {
        const close = html.indexOf('>', lt + 2);
        if (close === -1) break;
        i = close + 1;
        continue;
      }
      const nameEnd = findNameEnd(html, lt + 2);
      const name = html.slice(lt + 2, nameEnd).toLowerCase();
      const close = html.indexOf('>', nameEnd);
      if (close === -1) break;
      i = close + 1;
      if (FOREIGN.has(name) || INTEGRATION.has(name)) {
        if (foreign.length > 1) foreign.pop();
      }
      if (VOID.has(name)) {
        // "</br>" is read as a <br>
        if (name === 'br') {
          elements++;
          depth = Math.max(depth, stack.length + 1);
        }
        continue;
      }
      const at = stack.lastIndexOf(name);
      if (at !== -1) stack.length = at;
      else if (name === 'p') {
        // "</p>" with no <p> open is read as an empty <p>
        elements++;
        depth = Math.max(depth, stack.length + 1);
      }
      continue;
    }
    if (!NAME_START.test(next)) {
      i = lt + 1;
      continue;
    }
    const nameEnd = findNameEnd(html, lt + 1);
    const name = html.slice(lt + 1, nameEnd).toLowerCase();
    const tag = readTagEnd(html, nameEnd);
    elements++;
    if (elements > limits.maxElements) return { depth, elements, over: 'elements' };
    i = tag.end;
    const implied = IMPLIED_CLOSE.get(name);
    if (implied) while (stack.length > 0 && implied.has(stack[stack.length - 1]!)) stack.pop();
    if (stack.length + 1 > depth) {
      depth = stack.length + 1;
      if (depth > limits.maxDepth) return { depth, elements, over: 'depth' };
    }
    if (VOID.has(name)) continue;
    stack.push(name);
    if (FOREIGN.has(name)) foreign.push(true);
    else if (INTEGRATION.has(name)) foreign.push(false);
    // As in htmlparser2: "/>" closes only in a foreign context, which "<svg/>" itself has just opened;
    // elsewhere the element stays open, and its content is markup even for <title/>.
    if (tag.selfClosing) {
      if (foreign[foreign.length - 1]) stack.pop();
      continue;
    }
    if (RAW_TEXT.has(name)) {
      const end = rawTextEnd(html, name, i);
      if (end === -1) break;
      stack.pop();
      if (INTEGRATION.has(name) && foreign.length > 1) foreign.pop();
      const close = html.indexOf('>', end);
      if (close === -1) break;
      i = close + 1;
    }
  }
  return { depth, elements };
}

function findNameEnd(html: string, from: number): number {
  let i = from;
  while (i < html.length && !isNameEnd(html.charCodeAt(i))) i++;
  return i;
}

/** Whitespace, "/" or ">": what ends a tag name. */
function isNameEnd(code: number): boolean {
  return code === 0x2f || code === 0x3e || isSpace(code);
}

/**
 * Where a start tag ends (after its ">") and whether it ends "/>", reading attribute values as the
 * tokenizer does: a ">" inside quotes does not end the tag, and an unquoted value runs to the next
 * space or ">" (so the "/" of `<a href=x/>` belongs to the value).
 */
function readTagEnd(html: string, from: number): { end: number; selfClosing: boolean } {
  let i = from;
  const length = html.length;
  let slash = false;
  while (i < length) {
    const ch = html[i]!;
    if (ch === '>') return { end: i + 1, selfClosing: slash };
    slash = ch === '/';
    if (ch === '=') {
      i++;
      while (i < length && isSpace(html.charCodeAt(i))) i++;
      const quote = html[i];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, i + 1);
        if (close === -1) return { end: length, selfClosing: false };
        i = close + 1;
      } else {
        while (i < length && html[i] !== '>' && !isSpace(html.charCodeAt(i))) i++;
      }
      continue;
    }
    i++;
  }
  return { end: length, selfClosing: false };
}

function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

function rawTextEnd(html: string, name: string, from: number): number {
  const re = RAW_TEXT_END.get(name)!;
  re.lastIndex = from;
  return re.exec(html)?.index ?? -1;
}

/** Why an HTML page is refused before parsing, or undefined when it is within the caps. */
export function htmlComplexityProblem(
  html: string,
  source: string,
  limits: HtmlLimits = HTML_LIMITS,
): string | undefined {
  const scan = scanHtmlComplexity(html, limits);
  if (scan.over === 'depth')
    return `page too complex: more than ${limits.maxDepth} nested elements in ${source} (a news page nests 30 to 60 deep); nothing was read`;
  if (scan.over === 'elements')
    return `page too complex: more than ${limits.maxElements.toLocaleString('en')} elements in ${source} (an article page has a few thousand); nothing was read`;
  return undefined;
}

const LIST_MARKER = /^(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)/;

/**
 * The deepest nesting of blockquotes and lists in Markdown, read line by line: the ">" markers and
 * list markers that open a line, plus the list items it sits inside (an item's content column, as
 * CommonMark has it: a line indented at least that far continues the item). An approximation of
 * what marked builds, never above it for ordinary text; stops as soon as `max` is passed.
 */
export function markdownNestingDepth(markdown: string, max = MAX_MARKDOWN_DEPTH): number {
  /** Content columns of the list items the current line may sit in, innermost last. */
  const items: number[] = [];
  let deepest = 0;
  let start = 0;
  while (start <= markdown.length) {
    let end = markdown.indexOf('\n', start);
    if (end === -1) end = markdown.length;
    const depth = lineDepth(markdown, start, end, items);
    if (depth > deepest) {
      deepest = depth;
      if (deepest > max) return deepest;
    }
    start = end + 1;
  }
  return deepest;
}

function lineDepth(text: string, start: number, end: number, items: number[]): number {
  let i = start;
  let column = 0;
  while (i < end && (text[i] === ' ' || text[i] === '\t')) {
    column = text[i] === '\t' ? column + 4 - (column % 4) : column + 1;
    i++;
  }
  if (i >= end) return 0; // a blank line leaves the lists open
  while (items.length > 0 && column < items[items.length - 1]!) items.pop();
  if (items.length === 0 && column >= 4) return 0; // an indented code block
  let quotes = 0;
  for (;;) {
    if (text[i] === '>') {
      quotes++;
      i++;
      column++;
      if (text[i] === ' ') {
        i++;
        column++;
      }
      continue;
    }
    const marker = LIST_MARKER.exec(text.slice(i, Math.min(end, i + 12)));
    if (!marker) break;
    i += marker[0].length;
    column += marker[0].length;
    let spaces = 0;
    while (i < end && text[i] === ' ' && spaces < 4) {
      i++;
      spaces++;
    }
    column += spaces;
    items.push(column);
    if (i >= end) break;
  }
  return items.length + quotes;
}

/** Why a Markdown article is refused before parsing, or undefined when it is within the cap. */
export function markdownComplexityProblem(
  markdown: string,
  source: string,
  max = MAX_MARKDOWN_DEPTH,
): string | undefined {
  if (markdownNestingDepth(markdown, max) <= max) return undefined;
  return `page too complex: more than ${max} nested blockquotes or lists in ${source} (an article nests three or four); nothing was read`;
}
