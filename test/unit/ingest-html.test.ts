import { describe, expect, it } from 'vitest';
import { ingestHtml } from '../../src/domain/ingest-html.js';
import { ARTICLE_FIXTURES, defaultRules, readArticleFixture } from '../fixtures/fixtures.js';

const ingest = (html: string, fallback = {}) => ingestHtml(html, defaultRules, fallback);

/** A body long enough for Readability to treat it as an article. */
const STORY =
  '<p>The ferry timetable changes next week, with earlier sailings on weekdays and fewer at night, the port authority said on Friday.</p>' +
  '<p>Commuters who start work before seven will gain the most, while night workers lose the last two boats of the evening.</p>';

describe('ingestHtml on the fixture page', () => {
  const { article } = ingest(readArticleFixture(ARTICLE_FIXTURES.html));
  const everything = article.paragraphs.join('\n');

  it('reads title, author, canonical URL and site name from the page metadata', () => {
    expect(article.title).toBe('City Library Reopens With Longer Hours');
    expect(article.byline).toBe('Priya Natarajan');
    expect(article.url).toBe('https://courier.example.net/city/library-reopens');
    expect(article.publication).toBe('The Coastal Courier');
  });

  it('keeps the article text, block quotes included, in order', () => {
    expect(article.paragraphs).toEqual([
      'The central library reopened on Monday after an 18-month renovation, with opening hours extended to 10 p.m. on weekdays. The work cost 3.2 million euros, most of it paid by a regional grant.',
      'Head librarian Joan Whitaker said the longer hours were the most requested change in a survey of 2,400 readers. “Students told us they had nowhere quiet to work after dinner. Now they do,” she said.',
      'The building has a new reading room on the top floor, a children’s wing with 6,000 picture books and a small recording studio that anyone with a library card may book for up to two hours a week.',
      '“A library is the only place in town where nobody asks you to buy anything,” said Whitaker.',
      'Some readers miss the old card catalogue, which was moved to the city archive. The archive plans to show it in an exhibition next spring.',
    ]);
  });

  it.each([
    ['navigation', /Home|Culture|Sport/],
    ['advertisements', /Zephyr|LinguaFast|ADVERTISEMENT|Sponsored/],
    ['related links', /Most read|parking fees/],
    ['the footer and its newsletter promo', /newsletter|Sign up|All rights reserved|desk@/],
    ['the byline line', /^By Priya/m],
  ])('leaves out %s', (_what, pattern) => {
    expect(everything).not.toMatch(pattern);
  });
});

describe('ingestHtml metadata rules', () => {
  it('uses og:url when there is no canonical link, and ignores a relative canonical', () => {
    const withOg = ingest(
      `<html><head><title>T</title><meta property="og:url" content="https://c.example/f"></head><body><article>${STORY}</article></body></html>`,
    );
    expect(withOg.article.url).toBe('https://c.example/f');
    const relative = ingest(
      `<html><head><title>T</title><link rel="canonical" href="/news/f"></head><body><article>${STORY}</article></body></html>`,
      { url: 'https://flag.example/f' },
    );
    expect(relative.article.url).toBe('https://flag.example/f');
  });

  it('an author given as a profile URL is no name: the fallback is used', () => {
    const { article } = ingest(
      `<html><head><title>T</title><meta name="author" content="https://social.example/someone"></head><body><article>${STORY}</article></body></html>`,
      { byline: 'Desk Editor' },
    );
    expect(article.byline).toBe('Desk Editor');
  });

  it('a "By …" byline found in the page becomes the bare name', () => {
    const { article } = ingest(
      `<html><head><title>T</title></head><body><article><p class="byline">By Sam Reed</p>${STORY}</article></body></html>`,
    );
    expect(article.byline).toBe('Sam Reed');
    expect(article.paragraphs.join(' ')).not.toContain('Sam Reed');
  });

  it('without og:title, the <title> is used', () => {
    const { article } = ingest(`<html><head><title>Ferry Changes</title></head><body>${STORY}</body></html>`);
    expect(article.title).toBe('Ferry Changes');
  });

  it('a line break separates words; scripts and entities do not leak into the text', () => {
    const { article } = ingest(
      `<html><head><title>T</title></head><body><article>${STORY}<p>First line of the address<br>second line, and a<br/>third; then&nbsp;more<script>var x = 1;</script> text &amp; an end.</p></article></body></html>`,
    );
    expect(article.paragraphs.at(-1)).toBe(
      'First line of the address second line, and a third; then more text & an end.',
    );
  });

  it('a page too short for Readability, or a bare fragment, is still read (without its nav)', () => {
    expect(
      ingest('<html><body><nav><p>Home</p></nav><p>Short story &amp; more.</p></body></html>').article
        .paragraphs,
    ).toEqual(['Short story & more.']);
    expect(ingest('<p>Just a fragment.</p><p>Second block.</p>').article.paragraphs).toEqual([
      'Just a fragment.',
      'Second block.',
    ]);
  });
});
