import { describe, expect, it } from 'vitest';
import { ingestMarkdown } from '../../src/adapters/document/ingest-markdown.js';
import { ARTICLE_FIXTURES, defaultRules, readArticleFixture } from '../fixtures/fixtures.js';

const ingest = (markdown: string, fallback = {}) => ingestMarkdown(markdown, defaultRules, fallback);

describe('ingestMarkdown on the fixture', () => {
  const { article, removed } = ingest(readArticleFixture(ARTICLE_FIXTURES.markdown));

  it('reads title, author, URL and publication from the front matter', () => {
    expect(article.title).toBe('River Festival Draws Record Crowds');
    expect(article.byline).toBe('Tomás Reyes');
    expect(article.url).toBe('https://courier.example.net/culture/river-festival');
    expect(article.publication).toBe('The Coastal Courier');
  });

  it('reduces emphasis and links to their text and drops images, code blocks and the promo', () => {
    expect(article.paragraphs).toEqual([
      'Organisers of the River Festival said on Sunday that more than 40,000 people attended, a record. The previous high, set in 2019, was 31,500.',
      "The festival's director, Ines Duarte, said the boat parade was the highlight. “I have never seen the banks so full. People brought chairs, tents, even sofas!” she said.",
      'Music and food',
      'Twelve bands played on three stages, and the food market sold out of grilled sardines by 8 p.m. on Saturday. Vendors used the #riverfest tag to post their menus.',
      '• Free water stations were placed every 200 metres.',
      '• The first-aid tent treated 37 people, mostly for heatstroke.',
      '“Next year we will need a bigger river,” joked one volunteer.',
    ]);
    expect(removed).toEqual([
      {
        kind: 'promo',
        reason: 'promo (Follow us)',
        text: 'Follow us on social media and subscribe to our weekly culture newsletter.',
        index: 7,
      },
    ]);
  });

  it('does not repeat the title as a paragraph when the H1 matches the front matter', () => {
    expect(article.paragraphs).not.toContain(article.title);
  });
});

describe('ingestMarkdown rules', () => {
  it('takes the first # heading as the title', () => {
    const { article } = ingest('# Tram *Line* Reopens\n\nBody one.\n\n## Section\n\nBody two.');
    expect(article.title).toBe('Tram Line Reopens');
    expect(article.paragraphs).toEqual(['Body one.', 'Section', 'Body two.']);
  });

  it('without a heading or front matter, the first paragraph is the title', () => {
    expect(ingest('A plain title line\n\nSecond paragraph.').article).toEqual({
      title: 'A plain title line',
      paragraphs: ['Second paragraph.'],
    });
  });

  it('decodes entities and keeps inline code as text', () => {
    const { article } = ingest(
      '# T\n\nFish &amp; chips cost &lt;5 euros. Run `npm ci` first.\n\nIt&#8217;s 20&nbsp;km &mdash; &ldquo;far&rdquo; &#x2014; &copy; &bogus; &amp;amp;.',
    );
    expect(article.paragraphs).toEqual([
      'Fish & chips cost <5 euros. Run npm ci first.',
      'It’s 20 km — “far” — © &bogus; &amp;.',
    ]);
  });

  it('list items become paragraphs with their marker; tables, raw HTML blocks and rules are not prose', () => {
    const { article } = ingest(
      '# T\n\n1. First item.\n2. Second item.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<div>raw block</div>\n\n---\n\nAfter the rule.',
    );
    expect(article.paragraphs).toEqual(['1. First item.', '2. Second item.', 'After the rule.']);
  });

  it('an ordered list keeps its start number; nested and loose items are items of their own', () => {
    const { article } = ingest(
      '# T\n\n3. three\n4. four\n   - nested a\n   - nested b\n\n* loose *one*\n\n  still one\n\n+ loose two',
    );
    expect(article.paragraphs).toEqual([
      '3. three',
      '4. four',
      '• nested a',
      '• nested b',
      '• loose one still one',
      '• loose two',
    ]);
  });

  it('without a heading, a first paragraph that is a sentence is body, not a title', () => {
    expect(ingest('The ferry changes next week.\n\nMore body.').article).toEqual({
      title: '',
      paragraphs: ['The ferry changes next week.', 'More body.'],
    });
    expect(ingest('One paragraph only').article).toEqual({ title: '', paragraphs: ['One paragraph only'] });
  });

  it('an autolink keeps its URL as text', () => {
    expect(ingest('# T\n\nSee <https://example.org/x> today.').article.paragraphs).toEqual([
      'See https://example.org/x today.',
    ]);
  });

  it('reads front matter with CRLF line endings and at the very end of the file', () => {
    expect(ingest('---\r\ntitle: T\r\nauthor: "A B"\r\n---\r\n\r\nBody.').article).toEqual({
      title: 'T',
      byline: 'A B',
      paragraphs: ['Body.'],
    });
    expect(ingest('---\ntitle: Only front matter\n---').article.title).toBe('Only front matter');
  });

  it('falls back to config or flag metadata for what the front matter lacks', () => {
    const { article } = ingest('---\ntitle: T\n---\n\nBody.', {
      byline: 'Flag Author',
      url: 'https://flag.example/a',
    });
    expect(article.byline).toBe('Flag Author');
    expect(article.url).toBe('https://flag.example/a');
  });
});

describe('ingestMarkdown furniture', () => {
  const BODY = 'The ferry timetable changes next week, the port authority said on Friday.';

  it('text beside an image is its caption, and an emphasised line under an image too', () => {
    const { article, removed } = ingest(
      `# T\n\n${BODY}\n\n![A crowd](crowd.jpg)\n*The crowd on Sunday. Photo: Jane Doe*\n\n![The pier](pier.jpg)\n\n_The new pier at dawn_\n\nMore body.`,
    );
    expect(article.paragraphs).toEqual([BODY, 'More body.']);
    expect(removed).toEqual([
      {
        kind: 'caption',
        reason: 'photo caption or credit (text beside an image: The crowd on Sunday. Photo: Jane Doe)',
        text: 'The crowd on Sunday. Photo: Jane Doe',
        index: 1,
      },
      {
        kind: 'caption',
        reason: 'photo caption or credit (emphasised line under an image: The new pier at dawn)',
        text: 'The new pier at dawn',
        index: 2,
      },
    ]);
  });

  it('an emphasised paragraph that is not under an image stays; a "*Photo: …*" line goes anywhere', () => {
    const { article, removed } = ingest(
      `# T\n\n*Updated on Friday with the board’s answer.*\n\n${BODY}\n\n*Photo: Reuters*`,
    );
    expect(article.paragraphs).toEqual(['Updated on Friday with the board’s answer.', BODY]);
    expect(removed.map((r) => r.reason)).toEqual(['photo caption or credit (Reuters)']);
  });

  it.each(['###', '-end-', '- END -', '-30-'])(
    'the end marker %s drops itself and what follows',
    (marker) => {
      const { article, removed } = ingest(`# T\n\n${BODY}\n\n${marker}\n\nJane Smith\n\n202-555-0100`);
      expect(article.paragraphs).toEqual([BODY]);
      expect(removed.map((r) => r.kind)).toEqual(['end-marker', 'after-end', 'after-end']);
    },
  );

  it('a dateline after an emphasised byline is cut off the first paragraph', () => {
    const { article, removed } = ingest(`# T\n\n*By Jane Doe*\n\n**KESTREL BAY** — ${BODY}\n\nMore body.`);
    expect(article.byline).toBe('Jane Doe');
    expect(article.paragraphs).toEqual([BODY, 'More body.']);
    expect(removed.map((r) => r.reason)).toEqual(['byline (Jane Doe)', 'dateline (KESTREL BAY)']);
  });

  it('an end marker inside a paragraph (single newlines) still ends the article', () => {
    const { article } = ingest(`# T\n\n${BODY}\n-end-\nJane Smith\n202-555-0100`);
    expect(article.paragraphs).toEqual([BODY]);
  });
});
