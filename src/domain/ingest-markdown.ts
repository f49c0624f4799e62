import { marked, type Token, type Tokens } from 'marked';
import type { CompiledBoilerplateRules } from './boilerplate.js';
import { type ArticleMetadata, assembleArticle, type IngestResult } from './ingest-text.js';
import { normalizeText } from './normalize-text.js';

/**
 * Markdown: a `#` heading (or front-matter `title:`) is the title; emphasis, links and inline code
 * are reduced to their text; images and code blocks are dropped; list items and block quotes become
 * paragraphs. Front matter may also give `author`, `url` and `publication`.
 */
export function ingestMarkdown(
  raw: string,
  rules: CompiledBoilerplateRules,
  fallback: ArticleMetadata = {},
): IngestResult {
  const { meta, rest } = readFrontMatter(normalizeText(raw));
  const paragraphs: string[] = [];
  let title = meta.title;
  for (const token of marked.lexer(rest)) {
    if (token.type === 'heading' && (token as Tokens.Heading).depth === 1) {
      const heading = inlineText((token as Tokens.Heading).tokens);
      // The first H1 is the title; when front matter already gave one, an H1 repeating it is dropped.
      if (title === undefined) {
        title = heading;
        continue;
      }
      if (heading.trim() === title.trim()) continue;
    }
    paragraphs.push(...blockParagraphs(token));
  }
  if (title === undefined && paragraphs.length > 0) title = paragraphs.shift();
  return assembleArticle({ ...meta, ...(title !== undefined ? { title } : {}) }, paragraphs, rules, fallback);
}

function blockParagraphs(token: Token): string[] {
  switch (token.type) {
    case 'heading':
    case 'paragraph':
      return [inlineText((token as Tokens.Paragraph).tokens)];
    case 'blockquote':
      return (token as Tokens.Blockquote).tokens.flatMap(blockParagraphs);
    case 'list':
      return (token as Tokens.List).items.map((item) => item.tokens.flatMap(blockParagraphs).join(' '));
    case 'text': {
      const text = token as Tokens.Text;
      return [text.tokens ? inlineText(text.tokens) : text.text];
    }
    default:
      // code blocks, tables, rules, raw HTML blocks: not prose, never a post
      return [];
  }
}

function inlineText(tokens: readonly Token[] | undefined): string {
  if (!tokens) return '';
  return tokens
    .map((t) => {
      switch (t.type) {
        case 'image':
          return '';
        case 'br':
          return ' ';
        case 'html':
          return '';
        case 'link':
        case 'strong':
        case 'em':
        case 'del':
          return inlineText((t as Tokens.Link).tokens);
        case 'text': {
          const text = t as Tokens.Text;
          return text.tokens ? inlineText(text.tokens) : decodeEntities(text.text);
        }
        default:
          return decodeEntities('text' in t && typeof t.text === 'string' ? t.text : '');
      }
    })
    .join('');
}

/** Entities Markdown writers use in prose; marked leaves them for an HTML renderer. */
const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  mdash: '—',
  ndash: '–',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
  pound: '£',
  deg: '°',
  times: '×',
  middot: '·',
  bull: '•',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#\d{1,7}|#x[\da-f]{1,6}|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] !== '#') return NAMED_ENTITIES[name] ?? whole;
    const code =
      name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
      ? String.fromCodePoint(code)
      : whole;
  });
}

const FRONT_MATTER_KEYS: Record<string, keyof ArticleMetadata> = {
  title: 'title',
  author: 'byline',
  byline: 'byline',
  url: 'url',
  canonical_url: 'url',
  publication: 'publication',
};

/** A leading `---` block of `key: value` lines (the common subset of YAML front matter). */
function readFrontMatter(text: string): { meta: ArticleMetadata; rest: string } {
  const match = /^---\n([\s\S]*?)\n---(?:\n|$)/.exec(text.trimStart());
  if (!match) return { meta: {}, rest: text };
  const meta: Record<string, string> = {};
  for (const line of (match[1] ?? '').split('\n')) {
    const kv = /^([A-Za-z_]+)\s*:\s*(.*)$/.exec(line);
    const key = kv && FRONT_MATTER_KEYS[kv[1]!.toLowerCase()];
    const value = kv?.[2]?.replace(/^["']|["']$/g, '').trim();
    if (key && value) meta[key] = value;
  }
  return { meta, rest: text.trimStart().slice(match[0].length) };
}
