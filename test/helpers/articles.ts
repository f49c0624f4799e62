import type { Article } from '../../src/domain/article.js';

const PLACES = [
  'Saltmere',
  'the old harbour',
  'North Quay',
  'the river bank',
  'Market Street',
  'the library',
];
const WHO = [
  'the mayor',
  'a ferry captain',
  'the chief engineer',
  'a shop owner',
  'the council',
  'a teacher',
];
const WHAT = [
  'the tram line',
  'the new bridge',
  'the night market',
  'the flood wall',
  'the festival',
  'the bus lanes',
];

/**
 * A made-up article whose every sentence names its article and paragraph, so no two posts anywhere
 * in a test share a text (X refuses duplicate text) and a post can be traced back by reading it.
 */
export function makeArticle(
  n: number,
  options: { paragraphs?: number; url?: string | null; title?: string } = {},
): Article {
  const count = options.paragraphs ?? 6;
  const paragraphs = Array.from({ length: count }, (_, p) => {
    const place = PLACES[(n + p) % PLACES.length];
    const who = WHO[(n * 7 + p) % WHO.length];
    const what = WHAT[(n * 3 + p * 5) % WHAT.length];
    return (
      `In ${place}, ${who} said that ${what} had changed the town more than anyone expected in story ${n}, part ${p + 1}. ` +
      `“We counted ${n * 100 + p} visitors on the first day alone,” the report for story ${n} part ${p + 1} says.`
    );
  });
  const url = options.url === undefined ? `https://news.example/story-${n}` : options.url;
  return {
    title: options.title ?? `Story number ${n}`,
    byline: 'Ada Reporter',
    ...(url === null ? {} : { url }),
    publication: 'The Test Gazette',
    paragraphs,
  };
}

/** The same article as Markdown, for the CLI's `add FILE`. */
export function articleMarkdown(article: Article): string {
  return [
    '---',
    `title: ${article.title}`,
    ...(article.byline ? [`author: ${article.byline}`] : []),
    ...(article.url ? [`url: ${article.url}`] : []),
    '---',
    '',
    `# ${article.title}`,
    '',
    ...article.paragraphs.flatMap((p) => [p, '']),
  ].join('\n');
}
