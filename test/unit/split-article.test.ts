import { describe, expect, it } from 'vitest';
import type { Article, Platform } from '../../src/domain/article.js';
import { rulesFor } from '../../src/domain/platform-rules.js';
import { segmentSentences } from '../../src/domain/segment-sentences.js';
import { type SplitPost, type SplitSettings, splitArticle } from '../../src/domain/split-article.js';
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

  it('thread: every post fits, is numbered n/total in order, opens with the headline, and the link is only in the last', () => {
    const { posts, selected } = split(article, platform, 'thread', { targetLength: target });
    expect(selected).toEqual(posts);
    const total = posts.length;
    posts.forEach((post, i) => {
      expectValidPost(post, platform, target);
      const last = i === total - 1;
      if (total > 1) expect(post.text).toContain(`${i + 1}/${total}`);
      if (i === 0 && article.title) expect(post.text.startsWith(`${article.title}\n\n`)).toBe(true);
      else expect(post.text.startsWith(post.body)).toBe(true);
      if (article.url) expect(post.text.includes(article.url)).toBe(last);
    });
  });

  it('thread: nothing is lost, added or reordered', () => {
    const { posts } = split(article, platform, 'thread', { targetLength: target });
    const bodies = posts.map((p) => p.body).join('\n\n');
    const source = article.paragraphs.join('\n\n');
    expect(squeeze(bodies)).toBe(squeeze(source));
    if (onlyWords) expect(words(bodies)).toEqual(words(source));
  });

  it('thread: a sentence that fits in a post is never cut', () => {
    const { posts } = split(article, platform, 'thread', { targetLength: target });
    // Room for text in a middle post: the target less the numbering.
    const room = target - platformLength(platform, `\n\n${posts.length}/${posts.length}`);
    for (const { text } of segmentSentences(article.paragraphs)) {
      if (platformLength(platform, text) <= room - 30) {
        expect(
          posts.some((p) => p.body.includes(text)),
          text,
        ).toBe(true);
      }
    }
  });

  it("quotes: every candidate fits, keeps its marks balanced and carries the article's words", () => {
    const { posts } = split(article, platform, 'quotes', { targetLength: target });
    expect(posts.length).toBeGreaterThan(0);
    const source = squeeze(article.paragraphs.join(' '));
    for (const post of posts) {
      expectValidPost(post, platform, target);
      expect(balanced(post.text), post.text).toBe(true);
      // Quoted words may end in a period where the article had the comma before "she said".
      // An interrupted quotation is joined where its attribution stood: each side is the article's.
      const words = squeeze(post.body).replace(/[.,]$/, '');
      for (const piece of words.split(/(?<=,)(?=\p{Ll})/u)) expect(source, post.body).toContain(piece);
    }
  });
});

/** Curly marks pair up and straight double quotes come in pairs. */
function balanced(text: string): boolean {
  const open = (text.match(/[“«]/g) ?? []).length;
  const close = (text.match(/[”»]/g) ?? []).length;
  return open === close && (text.match(/"/g) ?? []).length % 2 === 0;
}

describe('quotes mode', () => {
  const article = ARTICLES.text!;

  it('chooses quotesPerArticle candidates that share no words, kept in article order', () => {
    const { posts, selected } = split(article, 'twitter', 'quotes', { quotesPerArticle: 4 });
    expect(selected).toHaveLength(4);
    expect(selected).toEqual(posts.filter((p) => p.chosen));
    const starts = selected.map((p) => p.units[0]);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    for (const [i, a] of selected.entries())
      for (const b of selected.slice(i + 1))
        expect(a.body.includes(b.body) || b.body.includes(a.body)).toBe(false);
  });

  it('every candidate carries a score, its reasons and whether it was chosen', () => {
    for (const post of split(article, 'twitter', 'quotes').posts) {
      expect(typeof post.score).toBe('number');
      expect(post.reasons!.length).toBeGreaterThan(0);
      expect(typeof post.chosen).toBe('boolean');
    }
  });

  it("signs the author's own sentences with the author, and claims nothing when nobody is known", () => {
    const [first] = split(article, 'twitter', 'quotes').selected.filter((p) => p.attribution === 'author');
    expect(first!.text).toMatch(new RegExp(`” — Desk Editor ${URL.replace(/[.?]/g, '\\$&')}$`));
    expect(first!.speaker).toBe('Desk Editor');
    const anonymous: Article = {
      title: 'T',
      paragraphs: ['A sentence long enough to be quoted on its own here.'],
    };
    const [only] = split(anonymous, 'twitter', 'quotes').posts;
    expect(only!.text).toBe('“A sentence long enough to be quoted on its own here.”');
    expect(only!.speaker).toBeUndefined();
    expect(only!.attribution).toBe('none');
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

describe('quotations and their speakers', () => {
  const article: Article = {
    title: 'Council approves the harbour budget',
    byline: 'Priya Raman',
    paragraphs: [
      'The council voted 7-2 on Tuesday to approve the budget, which Port Authority Director Ana Ruiz called overdue.',
      '“We will rebuild the north pier,” said council president Diane Okafor, “and we will do it this year.”',
      '“Nobody expected the vote to be this close. We counted every hand twice.”',
      'Ruiz told reporters on Monday: “The harbour cannot wait another winter. Every storm costs us a berth.”',
      'Mayor Tom Baines and councilman Rick Hale disagreed about the timing. “It is a mistake to rush this,” he said.',
    ],
  };
  const quotes = split(article, 'twitter', 'quotes', { targetLength: 280 }).posts;
  const find = (words: string) => quotes.filter((p) => p.body.includes(words));

  it('credits each sentence of a quotation to its speaker, never to the author', () => {
    const [alone] = find('Every storm costs us a berth.').filter((p) => p.body.startsWith('Every'));
    expect(alone!.text).toBe('“Every storm costs us a berth.” — Port Authority Director Ana Ruiz');
    expect(alone!.speaker).toBe('Port Authority Director Ana Ruiz');
    for (const post of find('We counted every hand twice.')) expect(post.speaker).toBe('Diane Okafor');
    for (const post of quotes)
      if (/“/.test(post.body) && post.speaker) expect(post.speaker).not.toBe('Priya Raman');
  });

  it('joins an interrupted quotation where its attribution stood, and keeps the whole with its speaker', () => {
    expect(quotes.map((p) => p.text)).toContain(
      '“We will rebuild the north pier, and we will do it this year.” — Diane Okafor',
    );
    const whole = quotes.find((p) => p.body.startsWith('“We will rebuild'));
    expect(whole?.attribution).toBe('in-text');
    expect(whole?.speaker).toBe('Diane Okafor');
    expect(whole?.text).not.toContain('— Diane Okafor');
  });

  it('leaves "he said" unattributed when two men were just named', () => {
    for (const post of find('It is a mistake to rush this')) expect(post.speaker).toBeUndefined();
  });

  it('a quotation runs over paragraphs; thread mode keeps a quotation with its attribution', () => {
    const { posts } = split(article, 'twitter', 'thread');
    const withSpeaker = posts.find((p) => p.body.includes('said council president Diane Okafor'));
    expect(withSpeaker!.body).toContain('“We will rebuild the north pier,”');
    expect(withSpeaker!.body).toContain('and we will do it this year.”');
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
        only: '{text}',
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
        only: '{text}[\n{url}]',
      },
    });
    posts.forEach((post, i) => {
      expect(post.length).toBeLessThanOrEqual(300);
      expect(post.text.startsWith(`${post.body}\n\n${i + 1}/${posts.length}`)).toBe(true);
    });
    expect(posts.at(-1)!.text.endsWith(`\n${URL}`)).toBe(true);
  });

  it('a short article is one post with its headline and link (the "only" template)', () => {
    const { posts } = split(
      { title: 'Ferry resumes', url: URL, paragraphs: ['The ferry runs again from Monday.'] },
      'twitter',
      'thread',
    );
    expect(posts.map((p) => p.text)).toEqual([
      `Ferry resumes\n\nThe ferry runs again from Monday.\n\n${URL}`,
    ]);
  });

  it('puts the headline alone in the first post rather than cut a first sentence that fits a post', () => {
    const first = `${'A long opening sentence about the harbour and its many piers, '.repeat(3)}told in full, with a few more words about the tide.`;
    const { posts } = split(
      { title: 'A headline of some length about the harbour', paragraphs: [first, 'Then more.'] },
      'twitter',
      'thread',
    );
    expect(posts[0]!.text).toBe(`A headline of some length about the harbour\n\n1/${posts.length}`);
    expect(posts[1]!.body.startsWith(first)).toBe(true);
  });

  it('ends posts at paragraph ends and leaves no orphan when moving text avoids it', () => {
    const paragraph = (n: number) =>
      `Paragraph ${n} opens with a plain sentence of news. It goes on with a second one about the pier. It ends here.`;
    const { posts } = split(
      { title: 'T', paragraphs: [1, 2, 3, 4, 5].map(paragraph) },
      'telegram',
      'thread',
      {
        targetLength: 260,
      },
    );
    for (const post of posts) {
      expect(post.body.endsWith('It ends here.'), post.body).toBe(true);
      expect(post.length).toBeGreaterThanOrEqual(260 / 4);
    }
  });

  it('keeps list items one per line', () => {
    const { posts } = split(
      {
        title: 'T',
        paragraphs: ['The plan has three parts:', '• a new pier', '• two ferries', '• a bus link'],
      },
      'telegram',
      'thread',
    );
    expect(posts[0]!.body).toBe('The plan has three parts:\n\n• a new pier\n• two ferries\n• a bus link');
  });

  it('numbering widens past 9 and 99 posts and every post still fits', () => {
    const paragraphs = Array.from(
      { length: 150 },
      (_, i) => `Paragraph number ${i + 1} says one short thing about the harbour tram.`,
    );
    const { posts } = split({ title: 'T', paragraphs }, 'twitter', 'thread', { targetLength: 80 });
    expect(posts.length).toBeGreaterThan(99);
    posts.forEach((p, i) => {
      expect(p.text.endsWith(`\n${i + 1}/${posts.length}`)).toBe(true);
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
        threadTemplates: {
          first: `{text} ${'x'.repeat(35)}`,
          middle: '{text}',
          last: '{text}',
          only: '{text}',
        },
      }),
    ).toThrow(
      /first template needs 36 of 40 weighted characters before any text; raise the length target to at least 56/,
    );
    expect(() =>
      split(article, 'twitter', 'quotes', { targetLength: 30, quoteTemplate: `{text} ${'x'.repeat(25)}` }),
    ).toThrow(/needs 25 of 30 .* at least 45/);
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
