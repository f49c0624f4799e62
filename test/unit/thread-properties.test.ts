import { describe, expect, it } from 'vitest';
import type { Article, Platform } from '../../src/domain/article.js';
import { rulesFor } from '../../src/domain/platform-rules.js';
import { segmentSentences } from '../../src/domain/segment-sentences.js';
import { splitArticle } from '../../src/domain/split-article.js';
import { defaultSplitSettings } from '../../src/use-cases/prepare-article.js';
import { createSeededRandom, randomInt } from '../helpers/seeded-random.js';

/**
 * Properties of thread mode on random articles that mix what breaks naive splitters: URLs with and
 * without a scheme, e-mail addresses, bare domains, decimals, thousands, times and dates,
 * abbreviations, initials, quotations and long sentences.
 */
const PIECES = [
  'the harbour board met on Jan. 7 at 3:27 a.m. Aug. 26, 2023',
  'see https://t.me/qc_news for updates',
  'details at http://a.example/x.y and at courier.example.org/news/2024/pier.html',
  'write to press.office@port.example.gov',
  'the levy rose by 2.5 percent to 5,500,000 euros',
  'Dr. Ana Ruiz of the U.S. Coast Guard said so',
  'John F. Kennedy Pier reopened',
  'it cost $4.2 million, i.e. less than planned',
  'the vote was 7-2',
  '“We will rebuild,” said council president Diane Okafor',
  'a much longer clause that goes on about the tides, the cranes, the ferries and the night shift',
  'No. 10 berth stays shut',
  'visit www.port.example.com/ferries?day=mon&time=6 for times',
];

function randomArticle(seed: number): Article {
  const random = createSeededRandom(seed);
  const pick = () => PIECES[randomInt(random, 0, PIECES.length - 1)]!;
  const sentence = () => {
    const clauses = Array.from({ length: randomInt(random, 1, 4) }, pick).join(', ');
    return `${clauses[0]!.toUpperCase()}${clauses.slice(1)}${['.', '.', '!', '?'][randomInt(random, 0, 3)]}`;
  };
  const paragraphs = Array.from({ length: randomInt(random, 1, 8) }, () =>
    Array.from({ length: randomInt(random, 1, 6) }, sentence).join(' '),
  );
  return {
    title: seed % 3 === 0 ? '' : 'Harbour news of the day',
    url: 'https://courier.example/a',
    paragraphs,
  };
}

const CASES = Array.from({ length: 60 }, (_, i) => i + 1).flatMap((seed) =>
  (['twitter', 'telegram'] as const).map((platform) => [seed, platform] as const),
);

describe.each(CASES)('random article %d on %s, thread mode', (seed, platform: Platform) => {
  const article = randomArticle(seed);
  const target = platform === 'twitter' ? 280 : 600;
  const { posts } = splitArticle(article, defaultSplitSettings(platform, 'thread'), rulesFor(platform));

  it('joining the posts gives back the body: nothing lost, added, reordered or glued', () => {
    const joined = posts.map((p) => p.body).join(' ');
    // Only whitespace may differ, and no space may appear where the body has none (a URL cut).
    const tokens = (text: string) => text.split(/\s+/).filter(Boolean);
    expect(tokens(joined)).toEqual(tokens(article.paragraphs.join(' ')));
  });

  it('every post fits, and every sentence that fits a post is whole in one post', () => {
    const room =
      target - rulesFor(platform).measure(`\n\n${posts.length}/${posts.length}\nhttps://courier.example/a`);
    for (const post of posts) expect(post.length).toBeLessThanOrEqual(target);
    for (const { text } of segmentSentences(article.paragraphs)) {
      if (rulesFor(platform).measure(text) <= room)
        expect(
          posts.some((p) => p.body.includes(text)),
          text,
        ).toBe(true);
    }
  });

  it('the headline opens the thread', () => {
    if (article.title) expect(posts[0]!.text.startsWith(`${article.title}\n\n`)).toBe(true);
  });
});

describe('a long single paragraph', () => {
  it('16,000 characters without a title split in both modes on both platforms', () => {
    const random = createSeededRandom(16_000);
    let text = '';
    while (text.length < 16_000) text += `${PIECES[randomInt(random, 0, PIECES.length - 1)]!}, and then. `;
    const article: Article = { title: '', paragraphs: [text.trim()] };
    for (const platform of ['twitter', 'telegram'] as const) {
      for (const mode of ['quotes', 'thread'] as const) {
        const { posts, selected } = splitArticle(
          article,
          defaultSplitSettings(platform, mode),
          rulesFor(platform),
        );
        expect(posts.length).toBeGreaterThan(5);
        expect(selected.length).toBeGreaterThan(0);
      }
    }
  });
});
