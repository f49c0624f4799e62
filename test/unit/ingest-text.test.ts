import { describe, expect, it } from 'vitest';
import { assembleArticle, ingestText } from '../../src/domain/ingest-text.js';
import { ARTICLE_FIXTURES, defaultRules, readArticleFixture } from '../fixtures/fixtures.js';

describe('ingestText', () => {
  it('takes the first non-empty line as the title and blank lines as paragraph breaks', () => {
    const { article } = ingestText(
      '\n\n  Tram Line Reopens  \nThe line reopened on Monday.\nIt had been closed\nfor two years.\n\n\nCrowds came.\n',
      defaultRules,
    );
    expect(article.title).toBe('Tram Line Reopens');
    expect(article.paragraphs).toEqual([
      'The line reopened on Monday. It had been closed for two years.',
      'Crowds came.',
    ]);
  });

  it('reads CRLF files, NBSP and runs of spaces the same as clean text', () => {
    const clean = ingestText('Title\n\nOne two three.\n\nFour five.', defaultRules);
    const messy = ingestText('Title\r\n\r\nOne\u00a0two   three.\r\n \r\nFour\tfive.\r\n', defaultRules);
    expect(messy.article).toEqual(clean.article);
  });

  it('drops byline, bio and promo paragraphs of the fixture and names the author from the byline', () => {
    const { article, removed } = ingestText(readArticleFixture(ARTICLE_FIXTURES.text), defaultRules);
    expect(article.title).toBe('Harbour Tram Line Reopens After Two-Year Rebuild');
    expect(article.byline).toBe('Ana Lima');
    expect(removed.map((r) => r.kind)).toEqual(['byline', 'bio', 'promo']);
    expect(article.paragraphs).toHaveLength(6);
    expect(article.paragraphs[0]).toMatch(/^The harbour tram line reopened on Jan\. 7/);
    expect(article.paragraphs.at(-1)).toBe(
      'The timetable is online at https://transit.example.org/harbour-line/timetable.html?lang=en and questions can be sent to tram.info@transit.example.org. Paper copies are available at the kiosk.',
    );
    for (const paragraph of article.paragraphs) {
      expect(paragraph).not.toMatch(/sign up|newsletter|Ana Lima/i);
    }
  });

  it('uses metadata from config or flags when the text has none', () => {
    const { article } = ingestText('Title\n\nBody text here.', defaultRules, {
      byline: 'Jane Doe',
      url: 'https://example.net/a',
      publication: 'The Courier',
    });
    expect(article).toEqual({
      title: 'Title',
      byline: 'Jane Doe',
      url: 'https://example.net/a',
      publication: 'The Courier',
      paragraphs: ['Body text here.'],
    });
  });

  it('prefers a flag over a stray byline line in the text', () => {
    const { article } = ingestText('Title\n\nBy Ana Lima\n\nBody text here.', defaultRules, {
      byline: 'Desk Editor',
    });
    expect(article.byline).toBe('Desk Editor');
    expect(article.paragraphs).toEqual(['Body text here.']);
  });

  it('a title with no body gives no paragraphs', () => {
    expect(ingestText('Only a title', defaultRules).article).toEqual({
      title: 'Only a title',
      paragraphs: [],
    });
  });
});

describe('assembleArticle', () => {
  it('prefers what the source says over the fallback, field by field', () => {
    const { article } = assembleArticle(
      { title: 'Found title', url: 'https://found.example/a' },
      ['Body.'],
      defaultRules,
      { title: 'Fallback title', url: 'https://fallback.example/b', byline: 'Fallback Author' },
    );
    expect(article).toEqual({
      title: 'Found title',
      byline: 'Fallback Author',
      url: 'https://found.example/a',
      paragraphs: ['Body.'],
    });
  });
});
