import { describe, expect, it } from 'vitest';
import { ingestHtml } from '../../src/adapters/document/ingest-html.js';
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

describe('ingestHtml newsroom furniture in the markup', () => {
  const page = (article: string) =>
    `<html><head><title>T</title></head><body><main><article>${article}</article></main></body></html>`;

  it('drops <figcaption>, an image <figure> and credit, byline, share, newsletter and related elements, reporting each', () => {
    const { article, removed } = ingest(
      page(
        `<div class="article__byline">By Sam Reed | March 4, 2024</div>` +
          `<figure><img src="a.jpg" alt="The reading room"><figcaption>The new reading room. Photo: Ana Lima</figcaption></figure>` +
          STORY +
          `<div class="share-tools"><a href="#">Share on X</a></div>` +
          `<p class="wp-caption-text">The old card catalogue in 1950.</p>` +
          `<span class="photoCredit">Jane Doe/The Gazette</span>` +
          `<div id="newsletter-signup"><p>Get the Gazette in your inbox every morning.</p></div>` +
          `<section class="RelatedStories"><h3>More news</h3><p>Council votes on parking fees</p></section>`,
      ),
    );
    expect(article.paragraphs).toEqual([
      'The ferry timetable changes next week, with earlier sailings on weekdays and fewer at night, the port authority said on Friday.',
      'Commuters who start work before seven will gain the most, while night workers lose the last two boats of the evening.',
    ]);
    expect(article.byline).toBe('Sam Reed');
    expect(removed).toEqual([
      {
        kind: 'byline',
        reason: 'byline (HTML <div class="article__byline">)',
        text: 'By Sam Reed | March 4, 2024',
        index: -1,
      },
      {
        kind: 'caption',
        reason: 'photo caption or credit (HTML <figure>)',
        text: 'The new reading room. Photo: Ana Lima',
        index: -1,
      },
      { kind: 'promo', reason: 'promo (HTML <div class="share-tools">)', text: 'Share on X', index: -1 },
      {
        kind: 'caption',
        reason: 'photo caption or credit (HTML <p class="wp-caption-text">)',
        text: 'The old card catalogue in 1950.',
        index: -1,
      },
      {
        kind: 'caption',
        reason: 'photo caption or credit (HTML <span class="photoCredit">)',
        text: 'Jane Doe/The Gazette',
        index: -1,
      },
      {
        kind: 'promo',
        reason: 'promo (HTML <div id="newsletter-signup">)',
        text: 'Get the Gazette in your inbox every morning.',
        index: -1,
      },
      {
        kind: 'related',
        reason: 'related link or note (HTML <section class="RelatedStories">)',
        text: 'More news Council votes on parking fees',
        index: -1,
      },
    ]);
  });

  it('a <figure> around a quotation keeps the quotation and drops its caption', () => {
    const { article, removed } = ingest(
      page(
        `${STORY}<figure><blockquote><p>“A library is the only place where nobody asks you to buy anything,” said the head librarian.</p></blockquote><figcaption>— Joan Whitaker</figcaption></figure>`,
      ),
    );
    expect(article.paragraphs.at(-1)).toBe(
      '“A library is the only place where nobody asks you to buy anything,” said the head librarian.',
    );
    expect(removed.map((r) => r.text)).toEqual(['— Joan Whitaker']);
  });

  it('a furniture word on a wrapper of the article does not take the article with it', () => {
    const { article } = ingest(
      `<html><head><title>T</title></head><body><div class="story has-related-links"><article>${STORY}</article></div></body></html>`,
    );
    expect(article.paragraphs).toHaveLength(2);
  });

  it('words that only contain a furniture word are not furniture ("shared", "captioned", "creditors")', () => {
    const { article, removed } = ingest(
      page(
        `${STORY}<p class="shared-story captioned">Creditors met on Monday.</p><p id="creditors">Banks agreed.</p>`,
      ),
    );
    expect(article.paragraphs.slice(-2)).toEqual(['Creditors met on Monday.', 'Banks agreed.']);
    expect(removed).toEqual([]);
  });

  it('a body sentence about a photo stays, and text-level furniture is still found in the paragraphs', () => {
    const { article, removed } = ingest(
      page(
        `${STORY}<p>The photo of the old reading room, taken in 1950, hangs in the entrance hall.</p><p>Visitors in the hall on Saturday. (AP Photo/Jane Doe)</p><p>-end-</p><p>Jane Smith, 202-555-0100</p>`,
      ),
    );
    expect(article.paragraphs.at(-1)).toBe(
      'The photo of the old reading room, taken in 1950, hangs in the entrance hall.',
    );
    expect(removed.map((r) => r.kind)).toEqual(['caption', 'end-marker', 'after-end']);
  });
});

describe('ingestHtml datelines and language lines', () => {
  const page = (article: string) =>
    `<html><head><title>T</title></head><body><main><article>${article}</article></main></body></html>`;

  it('a dateline opening the first paragraph is cut off it; a language line in the story goes', () => {
    const { article, removed } = ingest(
      page(`<p>HARWICK (AP) — ${STORY.slice(3)}<p>Lire cet article en français : gazette.example.com/fr</p>`),
    );
    expect(article.paragraphs[0]).toMatch(/^The ferry timetable changes next week/);
    expect(article.paragraphs.join('\n')).not.toMatch(/HARWICK|français/);
    expect(removed.map((r) => r.reason)).toEqual([
      'dateline (HARWICK (AP))',
      'language switch (Lire cet article en français)',
    ]);
  });
});

describe('ingestHtml lists', () => {
  it('each <li> is a paragraph: "• " in <ul>, its number in <ol> (start and value honoured), nested lists after', () => {
    const { article } = ingest(
      `<html><head><title>T</title></head><body><article>${STORY}<p>The new hours:</p>` +
        `<ul><li>Weekdays: 8 a.m. to 10 p.m.</li><li>Saturdays: 9 a.m. to 6 p.m.<ul><li>Children’s wing closes at 4 p.m.</li></ul></li></ul>` +
        `<ol start="3"><li><p>Third step.</p><p>Still third.</p></li><li>Fourth step.</li><li value="9">Ninth step.</li></ol>` +
        `<ul><li>- Already marked.</li></ul></article></body></html>`,
    );
    expect(article.paragraphs.slice(2)).toEqual([
      'The new hours:',
      '• Weekdays: 8 a.m. to 10 p.m.',
      '• Saturdays: 9 a.m. to 6 p.m.',
      '• Children’s wing closes at 4 p.m.',
      '3. Third step. Still third.',
      '4. Fourth step.',
      '9. Ninth step.',
      '- Already marked.',
    ]);
  });
});
