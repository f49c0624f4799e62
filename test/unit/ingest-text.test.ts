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

  it('a single line is body, not a title with nothing under it', () => {
    expect(ingestText('Only one line here', defaultRules).article).toEqual({
      title: '',
      paragraphs: ['Only one line here'],
    });
  });
});

describe('the first line is a title only when it looks like one', () => {
  const BODY = 'The harbour library reopened on Saturday with longer opening hours.';

  it.each([
    'Harbour Library Reopens',
    'From January to July: Kazakhstan Meets Challenges and Soothes Fears',
    'Did the Tram Pay Off?',
    'Tram Line Reaches Washington, D.C.',
    '“We Will Rebuild,” Mayor Says',
    // 150 characters, 20 words: the longest a title may be
    `${'Harbour '.repeat(18)}Library Reopens`.slice(0, 150),
  ])('%s is a title', (line) => {
    expect(ingestText(`${line}\n\n${BODY}`, defaultRules).article).toEqual({
      title: line,
      paragraphs: [BODY],
    });
  });

  it.each([
    ['a sentence', 'The harbour library reopened on Saturday.'],
    ['an exclamation', 'What a day for the harbour!'],
    ['a lead-in', 'The council approved three things:'],
    [
      'a long question',
      'Is it really possible that the council, after two years of delays, will finish the tram this year?',
    ],
    [
      'over 20 words',
      'One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty twentyone',
    ],
    ['over 150 characters', `Harbour${' Library'.repeat(19)}`],
    ['a list item', '- earlier boats on weekdays'],
  ])('%s is body: %s', (_what, line) => {
    const { article } = ingestText(`${line}\n\n${BODY}`, defaultRules);
    expect(article).toEqual({ title: '', paragraphs: [line, BODY] });
  });

  it('a first line that ends like a sentence is the title when a "By …" byline stands under it', () => {
    const headline = 'Free Trams Won’t Fix the Harbour. Frequent Ones Will.';
    expect(ingestText(`${headline}\n\nBy Ana Lima\n\n${BODY}`, defaultRules).article).toEqual({
      title: headline,
      byline: 'Ana Lima',
      paragraphs: [BODY],
    });
    // without the byline, or with a wrapped line under it, or a bare name (could be a heading), it is body
    expect(ingestText(`${headline}\n\n${BODY}`, defaultRules).article.title).toBe('');
    expect(ingestText(`${headline}\nBy Ana Lima\n\n${BODY}`, defaultRules).article.title).toBe('');
    expect(ingestText(`${headline}\n\nAna Lima\n\n${BODY}`, defaultRules).article.title).toBe('');
  });

  it('the first line of a hard-wrapped paragraph is no title', () => {
    const wrapped =
      'The council met on Tuesday to discuss the harbour budget for next year and\nmembers argued for hours.';
    expect(ingestText(wrapped, defaultRules).article).toEqual({
      title: '',
      paragraphs: [
        'The council met on Tuesday to discuss the harbour budget for next year and members argued for hours.',
      ],
    });
    const dangling = 'Members of the harbour board met the mayor and the\nTransport Minister on Monday.';
    expect(ingestText(dangling, defaultRules).article.title).toBe('');
  });

  it('a single paragraph of 16,000 characters with no title line is all body', () => {
    const sentence = 'The harbour board met on Monday and agreed to extend the tram line to the university. ';
    const long = sentence
      .repeat(Math.ceil(16_000 / sentence.length))
      .slice(0, 16_000)
      .trim();
    const { article, removed } = ingestText(long, defaultRules);
    expect(article.title).toBe('');
    expect(article.paragraphs).toEqual([long]);
    expect(removed).toEqual([]);
  });

  it('furniture above the title (release header, dateline, language switch) is dropped and reported', () => {
    const { article, removed } = ingestText(
      `FOR IMMEDIATE RELEASE\nMarch 4, 2024\nLee este artículo en español aquí.\n\nCity Opens New Library\n\n${BODY}`,
      defaultRules,
    );
    expect(article).toEqual({ title: 'City Opens New Library', paragraphs: [BODY] });
    expect(removed.map((r) => r.kind)).toEqual(['dateline', 'dateline', 'language']);
  });
});

describe('plain-text layouts', () => {
  it('list items stay paragraphs of their own, marker first', () => {
    const { article } = ingestText(
      'Ferry Plan Approved\n\nThe plan has three parts:\n- earlier boats\n- fewer night boats, which\n  the port called a saving\n- a new pier\nThe vote was close.\n\n1. First step.\n2) Second step.',
      defaultRules,
    );
    expect(article.paragraphs).toEqual([
      'The plan has three parts:',
      '- earlier boats',
      '- fewer night boats, which the port called a saving',
      '- a new pier',
      'The vote was close.',
      '1. First step.',
      '2) Second step.',
    ]);
  });

  it('text with a paragraph a line (no blank lines) is read line by line, so furniture lines are found', () => {
    const pasted = [
      'Harbour Library Reopens After Rebuild',
      'WASHINGTON, March 4, 2024',
      'The harbour library reopened on Saturday with a new reading room and longer opening hours, the city said.',
      'The mayor cut the ribbon at nine. “This building belongs to everyone,” she said, before the readers went in.',
      'Visitors look at the new reading room on Saturday. Photo Credit: (City of Harbour/Sam Reed)',
      'Media contact: Jane Smith, 555-201-0100, jane.smith@harbour.example.gov',
    ].join('\n');
    const { article, removed } = ingestText(pasted, defaultRules);
    expect(article.title).toBe('Harbour Library Reopens After Rebuild');
    expect(article.paragraphs).toEqual(pasted.split('\n').slice(2, 4));
    expect(removed.map((r) => r.kind)).toEqual(['dateline', 'caption', 'contact']);
  });

  it('an end marker on a line of its own ends the article even without blank lines around it', () => {
    const { article, removed } = ingestText(
      'Harbour Library Reopens\n\nThe harbour library reopened on Saturday with a new reading\nroom, the city said.\n-end-\nJane Smith\n555-201-0100',
      defaultRules,
    );
    expect(article.paragraphs).toEqual([
      'The harbour library reopened on Saturday with a new reading room, the city said.',
    ]);
    expect(removed).toEqual([
      { kind: 'end-marker', reason: 'end marker -end-', text: '-end-', index: 1 },
      { kind: 'after-end', reason: 'after end marker -end-', text: 'Jane Smith 555-201-0100', index: 2 },
    ]);
  });
});

describe('a government press release, end to end', () => {
  const release = [
    'Aug. 26, 2023',
    'City Opens Harbour Library After Two-Year Rebuild',
    'Lee este artículo en español aquí.',
    'The harbour library reopened on Saturday with a new reading room and longer opening hours, the city said.',
    'The mayor cut the ribbon at nine. “This building belongs to everyone,” she said. Photos of the day are on the city’s website.',
    'Readers queued along the quay before the doors opened, and the first thousand visitors received a free map.',
    'Visitors look at the new reading room on Saturday. Photo Credit: (City of Harbour/Sam Reed)',
    'Learn more about the library’s programme at:\nhttps://library.example.gov/programme',
    '-end-',
    'Jane Smith\nPress Office, City of Harbour\n555-201-0100\njane.smith@harbour.example.gov',
  ].join('\n\n');

  it('posts only the three body paragraphs; every drop says why', () => {
    const { article, removed } = ingestText(release, defaultRules);
    expect(article.title).toBe('City Opens Harbour Library After Two-Year Rebuild');
    expect(article.byline).toBeUndefined();
    expect(article.paragraphs.map((p) => p.slice(0, 20))).toEqual([
      'The harbour library ',
      'The mayor cut the ri',
      'Readers queued along',
    ]);
    expect(removed.map((r) => r.reason)).toEqual([
      'date-only dateline (Aug. 26, 2023)',
      'language switch (Lee este artículo en español)',
      'photo caption or credit (City of Harbour/Sam Reed)',
      'related link or note (Learn more)',
      'end marker -end-',
      'after end marker -end-',
    ]);
  });
});

describe('a dateline opening the story', () => {
  const lead =
    'The harbour library reopened on Saturday with a new reading room and longer opening hours, the city said.';

  it('is cut off the first paragraph, hard-wrapped or not, and reported; the rest is kept exactly', () => {
    const { article, removed } = ingestText(
      `Harbour Library Reopens\n\nBy Ana Lima\n\nPORT ELLIS, Norland — The harbour library reopened on Saturday\nwith a new reading room and longer opening hours, the city said.\n\nReaders queued along the quay.\n\nAna Lima is a former librarian and the author of a history of the quay.`,
      defaultRules,
    );
    expect(article.title).toBe('Harbour Library Reopens');
    expect(article.byline).toBe('Ana Lima');
    expect(article.paragraphs).toEqual([lead, 'Readers queued along the quay.']);
    expect(removed.map((r) => [r.kind, r.text])).toEqual([
      ['byline', 'By Ana Lima'],
      ['dateline', 'PORT ELLIS, Norland —'],
      ['bio', 'Ana Lima is a former librarian and the author of a history of the quay.'],
    ]);
    expect(removed[1]?.reason).toBe('dateline (PORT ELLIS, Norland)');
  });

  it('a release header, a date line and a wire dateline all go; a language line at the end too', () => {
    const { article, removed } = ingestText(
      `FOR IMMEDIATE RELEASE\n\nCity Opens Harbour Library\n\nMarch 4, 2024\n\nHARBOUR CITY, March 4, 2024 /PRNewswire/ -- ${lead}\n\nThis release is also available in Spanish at library.example.gov/es.`,
      defaultRules,
    );
    expect(article.title).toBe('City Opens Harbour Library');
    expect(article.paragraphs).toEqual([lead]);
    expect(removed.map((r) => r.reason)).toEqual([
      'date-only dateline (FOR IMMEDIATE RELEASE)',
      'date-only dateline (March 4, 2024)',
      'dateline (HARBOUR CITY, March 4, 2024 /PRNewswire/)',
      'language switch (This release is also available in Spanish)',
    ]);
  });

  it('an article that opens with a sentence keeps it whole', () => {
    const text = `Harbour Library Reopens\n\nWASHINGTON — not the city, the man — was the name on every poster.\n\n${lead}`;
    expect(ingestText(text, defaultRules).article.paragraphs[0]).toBe(
      'WASHINGTON — not the city, the man — was the name on every poster.',
    );
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
