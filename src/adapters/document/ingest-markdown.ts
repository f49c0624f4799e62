import { marked, type Token, type Tokens } from 'marked';
import type { CompiledBoilerplateRules, SourceParagraph } from '../../domain/boilerplate.js';
import { captionFurniture, decodeEntities, readFrontMatter } from '../../domain/ingest-markup.js';
import {
  type ArticleMetadata,
  assembleArticle,
  type IngestResult,
  looksLikeTitle,
} from '../../domain/ingest-text.js';
import { normalizeText } from '../../domain/normalize-text.js';

/**
 * Markdown: a `#` heading (or front-matter `title:`) is the title; emphasis, links and inline code
 * are reduced to their text; code blocks are dropped; block quotes become paragraphs, and each list
 * item a paragraph of its own that starts with "• " (unordered: "-", "*" and "+" are markup) or
 * its number ("3. "). Images are dropped, and text beside an image, or an emphasised line right
 * under one, is its caption: dropped and reported. Front matter may also give `author`, `url` and
 * `publication`.
 */
export function ingestMarkdown(
  raw: string,
  rules: CompiledBoilerplateRules,
  fallback: ArticleMetadata = {},
): IngestResult {
  const { meta, rest } = readFrontMatter(normalizeText(raw));
  const paragraphs: SourceParagraph[] = [];
  let title = meta.title;
  let underImage = false;
  for (const token of marked.lexer(rest)) {
    if (token.type === 'space') continue;
    const afterImage = underImage;
    underImage = token.type === 'paragraph' && isImageOnly((token as Tokens.Paragraph).tokens);
    if (token.type === 'heading' && (token as Tokens.Heading).depth === 1) {
      const heading = inlineText((token as Tokens.Heading).tokens);
      // The first H1 is the title; when front matter already gave one, an H1 repeating it is dropped.
      if (title === undefined) {
        title = heading;
        continue;
      }
      if (heading.trim() === title.trim()) continue;
    }
    if (afterImage && token.type === 'paragraph' && isEmphasisOnly((token as Tokens.Paragraph).tokens)) {
      const text = inlineText((token as Tokens.Paragraph).tokens);
      paragraphs.push({ text, furniture: captionFurniture('emphasised line under an image', text) });
      continue;
    }
    paragraphs.push(...blockParagraphs(token));
  }
  // Without a heading, the first paragraph is the title only when it looks like one.
  const [first, second] = paragraphs;
  if (title === undefined && typeof first === 'string' && second !== undefined && looksLikeTitle(first))
    title = paragraphs.shift() as string;
  return assembleArticle({ ...meta, ...(title !== undefined ? { title } : {}) }, paragraphs, rules, fallback);
}

const textOf = (p: SourceParagraph) => (typeof p === 'string' ? p : p.text);

function blockParagraphs(token: Token): SourceParagraph[] {
  switch (token.type) {
    case 'heading': {
      const heading = token as Tokens.Heading;
      // "###" alone is an empty heading to Markdown and a press release's end marker to a reader.
      if (!heading.text.trim() && /^#{3,}$/.test(heading.raw.trim())) return [heading.raw.trim()];
      return [inlineText(heading.tokens)];
    }
    case 'paragraph': {
      const { tokens } = token as Tokens.Paragraph;
      const text = inlineText(tokens);
      if (!containsImage(tokens)) return [text];
      return text.trim() ? [{ text, furniture: captionFurniture('text beside an image', text) }] : [];
    }
    case 'blockquote':
      return (token as Tokens.Blockquote).tokens.flatMap(blockParagraphs);
    case 'list': {
      const list = token as Tokens.List;
      const start = typeof list.start === 'number' ? list.start : 1;
      return list.items.flatMap((item, i) => {
        const own = item.tokens.filter((t) => t.type !== 'list');
        const text = own.flatMap(blockParagraphs).map(textOf).join(' ').trim();
        const marker = list.ordered ? `${start + i}. ` : '• ';
        const nested = item.tokens.filter((t) => t.type === 'list').flatMap(blockParagraphs);
        return [...(text ? [marker + text] : []), ...nested];
      });
    }
    case 'text': {
      const text = token as Tokens.Text;
      return [text.tokens ? inlineText(text.tokens) : text.text];
    }
    default:
      // code blocks, tables, rules, raw HTML blocks: not prose, never a post
      return [];
  }
}

function containsImage(tokens: readonly Token[] | undefined): boolean {
  return (tokens ?? []).some(
    (t) => t.type === 'image' || ('tokens' in t && containsImage(t.tokens as Token[] | undefined)),
  );
}

function isImageOnly(tokens: readonly Token[]): boolean {
  return containsImage(tokens) && tokens.every((t) => t.type === 'image' || isBlank(t) || t.type === 'link');
}

/** "*The crowd on Sunday. Photo: Jane Doe*": the way Markdown writers set a caption. */
function isEmphasisOnly(tokens: readonly Token[]): boolean {
  return tokens.some((t) => t.type === 'em') && tokens.every((t) => t.type === 'em' || isBlank(t));
}

function isBlank(token: Token): boolean {
  return token.type === 'br' || (token.type === 'text' && !(token as Tokens.Text).text.trim());
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
