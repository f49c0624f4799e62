import { describe, expect, it } from 'vitest';
import { ingestDocument as ingestArticle } from '../../src/adapters/document/document-readers.js';
import { detectFormat, formatBytes, type IngestOptions } from '../../src/domain/ingest-article.js';
import { ARTICLE_FIXTURES, articlePath, defaultRules, readArticleFixture } from '../fixtures/fixtures.js';

const options = (overrides: Partial<IngestOptions> = {}): IngestOptions => ({
  rules: defaultRules,
  maxBytes: 64 * 1024,
  source: 'article',
  ...overrides,
});
const bytes = (text: string) => new TextEncoder().encode(text);

function problemOf(input: Uint8Array, overrides: Partial<IngestOptions> = {}) {
  const outcome = ingestArticle(input, options(overrides));
  if (outcome.ok) throw new Error('expected the input to be refused');
  return outcome.problem;
}

describe('ingestArticle refuses bad input with a problem code and a message naming the source', () => {
  it('empty and whitespace-only input', () => {
    expect(problemOf(new Uint8Array(0), { source: 'a.txt' })).toMatchObject({ code: 'empty' });
    expect(problemOf(bytes(' \n\t\r\n \u00a0'), { source: 'a.txt' })).toMatchObject({
      code: 'empty',
      message: expect.stringContaining('a.txt'),
    });
  });

  it('binary input (NUL bytes), including UTF-16 text', () => {
    expect(problemOf(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]))).toMatchObject({
      code: 'binary',
    });
    const utf16 = Buffer.from('\ufeffTitle\n\nBody.', 'utf16le');
    expect(problemOf(utf16)).toMatchObject({ code: 'binary' });
  });

  it('invalid UTF-8 (Latin-1 bytes, a truncated sequence, an overlong encoding)', () => {
    expect(problemOf(Uint8Array.from([...bytes('Title\n\nCaf'), 0xe9, ...bytes(' au lait.')]))).toMatchObject(
      {
        code: 'not-utf8',
      },
    );
    expect(problemOf(Uint8Array.from([...bytes('Title\n\nText '), 0xe2, 0x82]))).toMatchObject({
      code: 'not-utf8',
    });
    expect(problemOf(Uint8Array.from([...bytes('Title\n\n'), 0xc0, 0xaf]))).toMatchObject({
      code: 'not-utf8',
    });
  });

  it('input over maxBytes, with both sizes in the message', () => {
    const problem = problemOf(bytes(`Title\n\n${'x'.repeat(3000)}`), { maxBytes: 2048, source: 'big.txt' });
    expect(problem.code).toBe('too-large');
    expect(problem.message).toContain('big.txt');
    expect(problem.message).toContain('2.0 KB');
    expect(problem.message).toContain('input.maxBytes');
  });

  it('exactly maxBytes is accepted', () => {
    const text = `Title\n\n${'word '.repeat(500)}`.slice(0, 2048);
    expect(bytes(text)).toHaveLength(2048);
    expect(ingestArticle(bytes(text), options({ maxBytes: 2048 })).ok).toBe(true);
  });

  it('a body that is all furniture: the message says what was dropped and why', () => {
    const problem = problemOf(bytes('Title\n\nBy Jane Doe\n\nSign up for our newsletter.'), {
      source: 'a.txt',
    });
    expect(problem).toEqual({
      code: 'no-body',
      message:
        'a.txt has nothing left to post: all 2 paragraph(s) after the title are newsroom furniture (byline too far from the top to name the author (Jane Doe): "By Jane Doe"; promo (Sign up): "Sign up for our newsletter."); if one of them is body text, change the matching boilerplate pattern in the settings',
    });
  });

  it('past three drops the message counts the rest', () => {
    const all = ['Aug. 26, 2023', 'Photo: Reuters', 'Related coverage', '-end-', 'Jane Smith'].join('\n\n');
    expect(problemOf(bytes(all)).message).toMatch(
      /^article has nothing left to post: all 5 paragraph\(s\) are newsroom furniture \(.*; and 2 more\)/,
    );
  });

  it('a Markdown heading with nothing under it', () => {
    expect(problemOf(bytes('# Just a heading'), { source: 'a.md' })).toEqual({
      code: 'no-body',
      message:
        'a.md has a title ("Just a heading") but no body paragraphs to post; put the article\'s text after the title',
    });
  });
});

describe('ingestArticle accepts', () => {
  it('one line of text, as body (it is no title with nothing under it)', () => {
    expect(ingestArticle(bytes('Just one line'), options())).toMatchObject({
      ok: true,
      article: { title: '', paragraphs: ['Just one line'] },
    });
  });

  it('a single paragraph of 16,000 characters with no title line', () => {
    const sentence = 'The ferry board met on Monday and agreed to add two early sailings on weekdays. ';
    const long = sentence.repeat(250).slice(0, 16_000).trim();
    const outcome = ingestArticle(bytes(long), options({ source: 'long.txt' }));
    expect(outcome).toMatchObject({ ok: true, format: 'text', article: { title: '', paragraphs: [long] } });
  });

  it('UTF-8 with a byte-order mark, which does not end up in the title', () => {
    const outcome = ingestArticle(bytes('\ufeffTitle\n\nBody.'), options());
    expect(outcome).toMatchObject({ ok: true, article: { title: 'Title', paragraphs: ['Body.'] } });
  });

  it.each([
    [ARTICLE_FIXTURES.text, 'text', 'Harbour Tram Line Reopens After Two-Year Rebuild'],
    [ARTICLE_FIXTURES.markdown, 'markdown', 'River Festival Draws Record Crowds'],
    [ARTICLE_FIXTURES.html, 'html', 'City Library Reopens With Longer Hours'],
  ])('%s as %s', (file, format, title) => {
    const outcome = ingestArticle(
      Buffer.from(readArticleFixture(file)),
      options({ source: articlePath(file) }),
    );
    expect(outcome).toMatchObject({ ok: true, format, article: { title } });
  });

  it('an explicit format wins over the file name', () => {
    const outcome = ingestArticle(
      bytes('# Heading\n\nBody *text*.'),
      options({ source: 'a.txt', format: 'markdown' }),
    );
    expect(outcome).toMatchObject({ ok: true, format: 'markdown', article: { title: 'Heading' } });
  });
});

describe('detectFormat', () => {
  it.each([
    ['story.html', 'anything', 'html'],
    ['story.HTM', 'anything', 'html'],
    ['story.md', 'anything', 'markdown'],
    ['story.markdown', 'anything', 'markdown'],
    ['story.txt', '# looks like markdown', 'text'],
    ['standard input', '<!DOCTYPE html><html><body><p>x</p></body></html>', 'html'],
    ['standard input', '  <html lang="en"><p>x</p></html>', 'html'],
    ['standard input', 'Title\n\n<p>A paragraph in a tag.</p>', 'html'],
    ['standard input', '# Title\n\nBody.', 'markdown'],
    ['standard input', '---\ntitle: T\n---\nBody.', 'markdown'],
    ['standard input', 'Title\n\nA body that says 3 < 4 and #hashtag.', 'text'],
  ])('%s with %j is %s', (source, raw, format) => {
    expect(detectFormat(raw, source)).toBe(format);
  });
});

describe('formatBytes', () => {
  it.each([
    [512, '512 bytes'],
    [2048, '2.0 KB'],
    [5 * 1024 * 1024, '5.0 MB'],
  ])('%d -> %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});
