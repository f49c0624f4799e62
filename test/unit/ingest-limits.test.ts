import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { ingestDocument as ingestArticle } from '../../src/adapters/document/document-readers.js';
import type { IngestOptions } from '../../src/domain/ingest-article.js';
import {
  MAX_HTML_DEPTH,
  MAX_HTML_ELEMENTS,
  MAX_MARKDOWN_DEPTH,
  markdownNestingDepth,
  scanHtmlComplexity,
} from '../../src/domain/ingest-limits.js';
import { defaultRules, fixturesDir } from '../fixtures/fixtures.js';

const PARAGRAPH =
  '<p>After eleven years behind fences, the old harbour opened to the public, and by noon more than 3,000 people had walked its quay.</p>';
const nested = (levels: number, inner = PARAGRAPH) =>
  `<!doctype html><html><head><title>Deep</title></head><body>${'<div>'.repeat(levels)}${inner}${'</div>'.repeat(levels)}</body></html>`;

const options = (source: string): IngestOptions => ({
  rules: defaultRules,
  maxBytes: 5 * 1024 * 1024,
  source,
});
const ingest = (text: string, source: string) => ingestArticle(Buffer.from(text), options(source));

/** The deepest element of the DOM linkedom builds (the parser Readability reads), <html> being 1. */
function domDepth(html: string): number {
  const { document } = parseHTML(html);
  type Node = { children: Iterable<Node> };
  const deepest = (node: Node, depth: number): number =>
    Math.max(depth, ...[...node.children].map((child) => deepest(child, depth + 1)));
  return deepest(document.documentElement as unknown as Node, 1);
}

function problemOf(text: string, source: string) {
  const outcome = ingest(text, source);
  if (outcome.ok) throw new Error(`expected ${source} to be refused`);
  return outcome.problem;
}

describe('HTML over the caps is refused before any parser sees it', () => {
  it.each([
    ['1,500 nested <div>s (17 KB)', nested(1500)],
    ['10,000 nested <div>s (the page that overflowed the stack)', nested(10_000)],
    ['100,000 nested <div>s (1.1 MB, the page that hung the daemon)', nested(100_000)],
  ])('%s', (_, html) => {
    expect(problemOf(html, 'deep.html')).toEqual({
      code: 'too-complex',
      message: `page too complex: more than ${MAX_HTML_DEPTH} nested elements in deep.html (a news page nests 30 to 60 deep); nothing was read`,
    });
  });

  it('too many elements, however shallow', () => {
    const wide = `<html><body>${'<span>a</span>'.repeat(MAX_HTML_ELEMENTS + 1)}</body></html>`;
    expect(problemOf(wide, 'https://news.example/wide')).toEqual({
      code: 'too-complex',
      message:
        'page too complex: more than 30,000 elements in https://news.example/wide (an article page has a few thousand); nothing was read',
    });
  });

  it('a page just inside the depth cap is read', () => {
    const outcome = ingest(nested(MAX_HTML_DEPTH - 8), 'deep-but-allowed.html');
    expect(outcome.ok && outcome.article.paragraphs).toEqual([
      'After eleven years behind fences, the old harbour opened to the public, and by noon more than 3,000 people had walked its quay.',
    ]);
  });
});

describe('the HTML scan counts depth as the parser builds the tree', () => {
  it.each([
    ['paragraphs close each other', '<p>one<p>two<p>three', 3],
    ['list items close each other', '<ul><li>a<li>b<ul><li>c</ul></ul>', 6],
    ['table cells and rows', '<table><tr><td>a<td>b<tr><td>c</table>', 5],
    ['a comment hides its tags', '<div><!-- <div><div><div> --></div>', 3],
    ['CDATA hides its tags', '<![CDATA[<div><div>]]><div>', 3],
    ['script and style hide their tags', '<script>"<div><div>"</script><style>a>b{}</style><div></div>', 3],
    ['a ">" inside a quoted attribute', '<div title="a > b"><span>x</span></div>', 4],
    ['"/>" closes inside SVG', `<svg>${'<path/>'.repeat(50)}</svg>`, 4],
    ['"/>" does not close in HTML', '<div/><div/><div/>', 5],
    ['"<title/>" in SVG stays open', `<svg>${'<title/>'.repeat(20)}</svg>`, 23],
    ['the "/" of an unquoted value', `<svg>${'<a href=x/>'.repeat(20)}</svg>`, 23],
    ['void elements and "</br>"', '<br></br><img><hr>', 3],
    ['unclosed elements nest', '<div><div><div>', 5],
    ['end tags close what they name', '<div><span><p>a<div>b</div></p></span></div>', 5],
  ])('%s', (_, body, depth) => {
    const html = `<html><body>${body}</body></html>`;
    expect(scanHtmlComplexity(html).depth).toBe(depth);
    expect(domDepth(html)).toBe(depth);
  });

  it('the pages in the fixtures nest 7 to 8 deep, as linkedom builds them', () => {
    const pages = ['articles', 'editorial'].flatMap((dir) =>
      readdirSync(path.join(fixturesDir, dir))
        .filter((name) => name.endsWith('.html'))
        .map((name) => readFileSync(path.join(fixturesDir, dir, name), 'utf8')),
    );
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      const scan = scanHtmlComplexity(page);
      expect(scan.over).toBeUndefined();
      expect(scan.depth).toBe(domDepth(page));
    }
  });
});

describe('Markdown over the nesting cap is refused before marked sees it', () => {
  const line = 'After eleven years behind fences, the old harbour opened to the public.';
  const message = `page too complex: more than ${MAX_MARKDOWN_DEPTH} nested blockquotes or lists in deep.md (an article nests three or four); nothing was read`;

  it.each([
    ['5,000 nested blockquotes (overflowed marked’s stack)', `# Deep\n\n${'> '.repeat(5000)}${line}\n`],
    ['3,000 nested list markers on one line', `# Deep\n\n${'- '.repeat(3000)}${line}\n`],
    [
      'a list indented 1,000 levels deep (12 s in marked)',
      `# Deep\n\n${Array.from({ length: 1000 }, (_, i) => `${' '.repeat(2 * i)}- ${line}`).join('\n')}\n`,
    ],
    [
      '3,000 lines of ever deeper quotation (ran marked out of memory)',
      `# Deep\n\n${Array.from({ length: 3000 }, (_, i) => `${'>'.repeat(i + 1)} ${line}`).join('\n')}\n`,
    ],
  ])('%s', (_, markdown) => {
    expect(problemOf(markdown, 'deep.md')).toEqual({ code: 'too-complex', message });
  });

  it('ordinary nesting is counted and read', () => {
    const markdown = `# Title\n\n- one\n  - two\n    - three\n\n> > quoted twice\n\n${line}\n`;
    expect(markdownNestingDepth(markdown)).toBe(3);
    expect(ingest(markdown, 'ok.md').ok).toBe(true);
  });

  it('an indented code block is not nesting', () => {
    expect(markdownNestingDepth(`Text.\n\n    ${'>'.repeat(100)} prompt\n    ${'- '.repeat(100)}\n`)).toBe(0);
  });

  it('a parser that overflows its stack on what the caps let through answers "too complex", never throws', () => {
    const emphasis = `# Title\n\n${'*'.repeat(10_000)}${line}${'*'.repeat(10_000)}\n`;
    expect(markdownNestingDepth(emphasis)).toBeLessThanOrEqual(MAX_MARKDOWN_DEPTH);
    expect(problemOf(emphasis, 'stars.md')).toEqual({
      code: 'too-complex',
      message: 'page too complex: stars.md is nested too deeply to read; nothing was read',
    });
  });
});
