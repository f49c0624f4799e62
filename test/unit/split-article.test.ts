import { describe, expect, it } from 'vitest';
import type { Article, Platform } from '../../src/domain/article.js';
import { rulesFor } from '../../src/domain/platform-rules.js';
import { segmentSentences } from '../../src/domain/segment-sentences.js';
import {
  renderQuote,
  type SplitPost,
  type SplitSettings,
  splitArticle,
} from '../../src/domain/split-article.js';
import { defaultSplitSettings } from '../../src/use-cases/prepare-article.js';
import {
  ARTICLE_FIXTURES,
  articlePath,
  hasLoneSurrogate,
  ingestFile,
  platformLength,
  samplePath,
  squeeze,
  tweetIsValid,
  words,
} from '../fixtures/fixtures.js';

const URL = 'https://courier.example.net/2024/a-story-with-a-long-address-that-still-counts-twenty-three';
const metadata = { url: URL, byline: 'Desk Editor', publication: 'The Coastal Courier' };

/** Each article as the CLI would see it, with a URL so templates have a link to place. */
const ARTICLES: Record<string, Article> = {
  sample: ingestFile(samplePath, { url: URL, publication: 'The Coastal Courier' }).article,
  text: ingestFile(articlePath(ARTICLE_FIXTURES.text), metadata).article,
  markdown: ingestFile(articlePath(ARTICLE_FIXTURES.markdown)).article,
  html: ingestFile(articlePath(ARTICLE_FIXTURES.html)).article,
  multilingual: ingestFile(articlePath(ARTICLE_FIXTURES.multilingual), metadata).article,
};
const TARGETS: Record<Platform, number[]> = { twitter: [100, 180, 280], telegram: [200, 600, 4096] };
const PLATFORMS: Platform[] = ['twitter', 'telegram'];

function split(
  article: Article,
  platform: Platform,
  mode: 'thread' | 'quotes',
  changes: Partial<SplitSettings> = {},
) {
  return splitArticle(article, { ...defaultSplitSettings(platform, mode), ...changes }, rulesFor(platform));
}

/** Every (article, platform, target) combination, for the properties that must always hold. */
const MATRIX = Object.keys(ARTICLES).flatMap((name) =>
  PLATFORMS.flatMap((platform) => TARGETS[platform].map((target) => [name, platform, target] as const)),
);

function expectValidPost(post: SplitPost, platform: Platform, target: number) {
  const length = platformLength(platform, post.text);
  expect(post.length, post.text).toBe(length);
  expect(length, post.text).toBeLessThanOrEqual(target);
  expect(hasLoneSurrogate(post.text), 'a lone surrogate').toBe(false);
  if (platform === 'twitter') expect(tweetIsValid(post.text), post.text).toBe(true);
  else expect(length).toBeLessThanOrEqual(4096);
}

describe.each(MATRIX)('%s for %s, target %d', (name, platform, target) => {
  const article = ARTICLES[name]!;
  const onlyWords = name !== 'multilingual'; // CJK has no spaces: a cut there adds one

  it('thread: every post fits, is numbered n/total in order, and the link is only where the template puts it', () => {
    const { posts, selected } = split(article, platform, 'thread', { targetLength: target });
    expect(selected).toEqual(posts);
    const total = posts.length;
    posts.forEach((post, i) => {
      expectValidPost(post, platform, target);
      const last = i === total - 1;
      expect(post.text).toBe(`${post.body} ${i + 1}/${total}${last && article.url ? ` ${article.url}` : ''}`);
      if (!last && article.url) expect(post.text).not.toContain(article.url);
    });
  });

  it('thread: nothing is lost, added or reordered', () => {
    const { posts } = split(article, platform, 'thread', { targetLength: target });
    const bodies = posts.map((p) => p.body).join('\n\n');
    const source = article.paragraphs.join('\n\n');
    expect(squeeze(bodies)).toBe(squeeze(source));
    if (onlyWords) expect(words(bodies)).toEqual(words(source));
  });

  it('quotes: every candidate fits and is a faithful excerpt of one paragraph', () => {
    const { posts } = split(article, platform, 'quotes', { targetLength: target });
    expect(posts.length).toBeGreaterThan(0);
    const template = defaultSplitSettings(platform, 'quotes').quoteTemplate;
    const values = {
      title: article.title,
      author: article.byline,
      publication: article.publication,
      url: article.url,
    };
    for (const post of posts) {
      expect(post.text).toBe(renderQuote(template, values, post.body));
      expectValidPost(post, platform, target);
      expect(article.paragraphs.some((p) => p.includes(post.body))).toBe(true);
      // The text shows the excerpt itself (without its own outer quotation marks when the template adds them).
      const inner = /^[“"«](.*)[”"»]$/.exec(post.body)?.[1];
      expect(post.text.includes(post.body) || (inner !== undefined && post.text.includes(inner))).toBe(true);
    }
  });

  it('quotes: no sentence is left without a candidate', () => {
    const { posts } = split(article, platform, 'quotes', { targetLength: target });
    const covered = new Set(posts.flatMap((p) => range(p.units[0], p.units[1])));
    const last = Math.max(...posts.map((p) => p.units[1]));
    expect(covered.size).toBe(last + 1);
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe('quotes mode', () => {
  const article = ARTICLES.text!;

  it('each candidate is one to three whole sentences of one paragraph', () => {
    const sentences = segmentSentences(article.paragraphs);
    const { posts } = split(article, 'telegram', 'quotes', { targetLength: 4096 });
    for (const post of posts) {
      const [first, last] = post.units;
      const group = sentences.slice(first, last + 1);
      expect(group.length).toBeGreaterThanOrEqual(1);
      expect(group.length).toBeLessThanOrEqual(3);
      expect(new Set(group.map((s) => s.paragraph)).size).toBe(1);
      expect(post.body).toBe(group.map((s) => s.text).join(' '));
    }
  });

  it('chooses quotesPerArticle non-overlapping candidates, the best-scoring, kept in article order', () => {
    const { posts, selected } = split(article, 'twitter', 'quotes', { quotesPerArticle: 4 });
    expect(selected).toHaveLength(4);
    expect(selected).toEqual(posts.filter((p) => p.chosen));
    const starts = selected.map((p) => p.units[0]);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    const used = new Set(selected.flatMap((p) => range(p.units[0], p.units[1])));
    expect(used.size).toBe(selected.reduce((n, p) => n + p.units[1] - p.units[0] + 1, 0));
    // No candidate left out that shares no sentence with the chosen ones scores better than the worst chosen.
    const worst = Math.min(...selected.map((p) => p.score!));
    for (const post of posts.filter((p) => !p.chosen)) {
      if (range(post.units[0], post.units[1]).every((u) => !used.has(u)))
        expect(post.score!).toBeLessThanOrEqual(worst);
    }
  });

  it('every candidate carries a score, its reasons and whether it was chosen', () => {
    for (const post of split(article, 'twitter', 'quotes').posts) {
      expect(typeof post.score).toBe('number');
      expect(post.reasons!.length).toBeGreaterThan(0);
      expect(typeof post.chosen).toBe('boolean');
    }
  });

  it('attributes the quote with the template, and an article without an author still gets its quote text', () => {
    const [first] = split(article, 'twitter', 'quotes').selected;
    expect(first!.text).toMatch(
      new RegExp(`— Desk Editor, The Coastal Courier ${URL.replace(/[.?]/g, '\\$&')}$`),
    );
    const anonymous: Article = {
      title: 'T',
      paragraphs: ['A sentence long enough to be quoted on its own here.'],
    };
    const [only] = split(anonymous, 'twitter', 'quotes', { quoteTemplate: '{text} — {author}' }).posts;
    expect(only!.text).toBe('A sentence long enough to be quoted on its own here. —');
  });

  it('an overlong sentence becomes fragments that stand alone, marked in the reasons', () => {
    const long = `${'The committee, after long and often heated debate, '.repeat(8)}finally agreed.`;
    const { posts } = split(
      { title: 'T', paragraphs: [long, 'A short second sentence stands here.'] },
      'twitter',
      'quotes',
    );
    const fragments = posts.filter((p) => p.reasons!.some((r) => r.includes('too long for one post')));
    expect(fragments.length).toBeGreaterThan(1);
    for (const f of fragments) expect(long).toContain(f.body);
  });
});

describe('renderQuote', () => {
  const template = '“{text}”[ — {author}]';
  it('wraps a plain excerpt in the template’s marks', () => {
    expect(renderQuote(template, { author: 'A B' }, 'Plain words.')).toBe('“Plain words.” — A B');
  });
  it('drops the excerpt’s own marks when it is one whole quotation', () => {
    expect(renderQuote(template, { author: 'A B' }, '“We will win.”')).toBe('“We will win.” — A B');
  });
  it('leaves the template’s marks out when the excerpt contains a quotation', () => {
    expect(renderQuote(template, {}, '“We will win,” she said.')).toBe('“We will win,” she said.');
    expect(renderQuote(template, {}, '“Yes.” He left. “No.”')).toBe('“Yes.” He left. “No.”');
  });
});

describe('thread mode', () => {
  const article = ARTICLES.text!;

  it('puts the link and hashtags only where the templates say', () => {
    const { posts } = split(article, 'twitter', 'thread', {
      threadTemplates: {
        first: '{text} {n}/{total} {url}',
        middle: '{n}/{total} {text}',
        last: '{text}[ {hashtags}]',
      },
      hashtags: ['#tram', '#harbour'],
    });
    expect(posts.length).toBeGreaterThan(2);
    expect(posts[0]!.text.endsWith(` 1/${posts.length} ${URL}`)).toBe(true);
    expect(posts[1]!.text.startsWith(`2/${posts.length} `)).toBe(true);
    expect(posts.at(-1)!.text.endsWith(' #tram #harbour')).toBe(true);
    expect(posts.filter((p) => p.text.includes(URL))).toHaveLength(1);
    expect(posts.filter((p) => p.text.includes('#tram'))).toHaveLength(1);
  });

  it('works with the Telegram demo template (numbering on its own line)', () => {
    const { posts } = split(article, 'telegram', 'thread', {
      targetLength: 300,
      threadTemplates: {
        first: '{text}\n\n{n}/{total}',
        middle: '{text}\n\n{n}/{total}',
        last: '{text}\n\n{n}/{total}[\n{url}]',
      },
    });
    posts.forEach((post, i) => {
      expect(post.length).toBeLessThanOrEqual(300);
      expect(post.text.startsWith(`${post.body}\n\n${i + 1}/${posts.length}`)).toBe(true);
    });
    expect(posts.at(-1)!.text.endsWith(`\n${URL}`)).toBe(true);
  });

  it('numbering widens past 9 and 99 posts and every post still fits', () => {
    const paragraphs = Array.from(
      { length: 150 },
      (_, i) => `Paragraph number ${i + 1} says one short thing about the harbour tram.`,
    );
    const { posts } = split({ title: 'T', paragraphs }, 'twitter', 'thread', { targetLength: 80 });
    expect(posts.length).toBeGreaterThan(99);
    posts.forEach((p, i) => {
      expect(p.text.endsWith(` ${i + 1}/${posts.length}`)).toBe(true);
      expect(platformLength('twitter', p.text)).toBeLessThanOrEqual(80);
    });
  });

  it('a 5,000-character token is cut at grapheme boundaries, flagged forced, with a warning', () => {
    const token = '👍🏽'.repeat(1250);
    const article2: Article = { title: 'T', paragraphs: [`Before it. ${token} After it.`] };
    for (const platform of PLATFORMS) {
      const { posts, warnings } = split(article2, platform, 'thread');
      expect(posts.some((p) => p.forced)).toBe(true);
      expect(warnings.join(' ')).toMatch(/cut inside the word/);
      expect(squeeze(posts.map((p) => p.body).join(''))).toBe(squeeze(`Before it. ${token} After it.`));
      for (const p of posts) expectValidPost(p, platform, platform === 'twitter' ? 280 : 600);
    }
  });

  it('refuses a template that leaves no room for text', () => {
    expect(() =>
      split(article, 'twitter', 'thread', {
        targetLength: 40,
        threadTemplates: { first: `{text} ${'x'.repeat(35)}`, middle: '{text}', last: '{text}' },
      }),
    ).toThrow(RangeError);
    expect(() =>
      split(article, 'twitter', 'quotes', { targetLength: 30, quoteTemplate: `{text} ${'x'.repeat(25)}` }),
    ).toThrow(/leaves only/);
  });
});

describe('boilerplate never becomes a post (the sample article)', () => {
  const article = ARTICLES.sample!;
  it.each(PLATFORMS.flatMap((p) => (['quotes', 'thread'] as const).map((m) => [p, m] as const)))(
    '%s %s',
    (platform, mode) => {
      const { posts } = split(article, platform, mode);
      expect(posts.length).toBeGreaterThan(3);
      for (const post of posts) {
        expect(post.body).not.toBe('Dmitry Babich');
        expect(post.body).not.toMatch(/sign up|subscribe|sent directly to you|The author is/i);
        expect(post.text).not.toMatch(/sign up|subscribe|sent directly to you/i);
      }
    },
  );
});

describe('length correctness for emoji, CJK, RTL and URLs', () => {
  const article = ARTICLES.multilingual!;
  it.each([
    ['twitter', 120],
    ['twitter', 280],
    ['telegram', 200],
    ['telegram', 4096],
  ] as const)('%s at %d: lengths are what the platform counts', (platform, target) => {
    for (const mode of ['thread', 'quotes'] as const) {
      for (const post of split(article, platform, mode, { targetLength: target }).posts) {
        expectValidPost(post, platform, target);
      }
    }
  });

  it('on X a long URL costs 23, so a post can be longer in characters than 280', () => {
    const { posts } = split(article, 'twitter', 'thread');
    expect(posts.some((p) => p.text.length > p.length)).toBe(true);
  });
});

describe('determinism', () => {
  it('the same article and settings give the same posts', () => {
    for (const platform of PLATFORMS) {
      for (const mode of ['thread', 'quotes'] as const) {
        expect(split(ARTICLES.sample!, platform, mode)).toEqual(split(ARTICLES.sample!, platform, mode));
      }
    }
  });
});
