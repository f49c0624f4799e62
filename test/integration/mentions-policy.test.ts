import twitterText from 'twitter-text';
import { describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/config-schema.js';
import type { Article, PostingMode } from '../../src/domain/article.js';
import { WORD_JOINER } from '../../src/domain/mentions.js';
import { rulesFor } from '../../src/domain/platform-rules.js';
import { segmentSentences } from '../../src/domain/segment-sentences.js';
import {
  postLiveMentions,
  type SplitPost,
  type SplitSettings,
  splitArticle,
} from '../../src/domain/split-article.js';
import { defaultSplitSettings, splitForChannels } from '../../src/use-cases/prepare-article.js';
import { createSeededRandom, randomInt } from '../helpers/seeded-random.js';

/**
 * The mentions policy from the settings file to the posts: what X would notify, link and count in
 * every post, as twitter-text (X's own parser) reads it.
 */

// twitter-text is CommonJS: its functions exist only on the default export at run time.
const { extractCashtags, extractHashtags, extractMentions, extractUrlsWithIndices, parseTweet } = twitterText;

const ARTICLE: Article = {
  title: 'Ferry service returns to the bay, says @portauthority',
  byline: 'Dana Reyes (@danareyes)',
  url: 'https://news.example.org/2024/ferry-returns',
  publication: 'The Bay Courier',
  paragraphs: [
    'The ferry between the two piers returns next spring, the port authority (@portauthority) said on Monday, after two years without a crossing.',
    '“This ferry changes how people cross the bay,” said Jack Dorsey (@jack), who chairs the ferry board.',
    '“We asked @POTUS for help and we got it,” Dorsey said. “Questions can go to press@example.org until the first sailing.”',
    '.@harbourwatch first reported the plan; the full proposal is at https://medium.com/@harbourwatch/ferry-plan and in the council papers.',
    'Shares of $ACME, which builds the boats, rose after the #FerryNow campaign, which ＠baycouncil backed.',
    'Great day on the water. #ferry #harbour',
  ],
};

/** The accounts X would notify: twitter-text's mentions less those inside a link. */
function notified(text: string): string[] {
  const links = extractUrlsWithIndices(text).map((u) => u.indices);
  return twitterText
    .extractMentionsWithIndices(text)
    .filter((m) => !links.some(([s, e]) => m.indices[0] < e && m.indices[1] > s))
    .map((m) => m.screenName);
}

function settingsFor(mode: PostingMode, changes: Partial<SplitSettings> = {}): SplitSettings {
  return { ...defaultSplitSettings('twitter', mode), ...changes };
}

function expectRightLength(post: SplitPost, target: number) {
  expect(post.length, post.text).toBe(parseTweet(post.text).weightedLength);
  expect(post.length, post.text).toBeLessThanOrEqual(target);
  expect(parseTweet(post.text).valid, post.text).toBe(true);
}

const MODES: PostingMode[] = ['quotes', 'thread'];

describe('a default X channel from the settings file neutralizes every mention', () => {
  const settings = settingsSchema.parse({
    channels: [
      { id: 'x-main', platform: 'twitter' },
      { id: 'tg-main', platform: 'telegram', chat: '@bay_courier' },
    ],
  });

  it('the schema defaults are neutralize for mentions and keep for hashtags', () => {
    const x = settings.channels[0]!;
    expect(x.platform === 'twitter' && [x.mentions, x.textTags]).toEqual(['neutralize', 'keep']);
  });

  it.each(MODES)(
    '%s: no post notifies anyone; hashtags and cashtags stay; lengths are what X counts',
    (mode) => {
      const [x, telegram] = splitForChannels(ARTICLE, settings.channels, mode);
      const posts = x!.result.posts;
      expect(posts.length).toBeGreaterThan(0);
      const all = posts.map((p) => p.text).join('\n');
      for (const post of posts) {
        expect(extractMentions(post.text), post.text).toEqual([]);
        expectRightLength(post, x!.channel.targetLength);
      }
      expect(x!.result.warnings.filter((w) => w.startsWith('live mention'))).toEqual([]);
      // The names stay readable, with the joiner after the sign.
      expect(all).toContain(`@${WORD_JOINER}POTUS`);
      expect(all).toContain(`＠${WORD_JOINER}baycouncil`);
      // Addresses and links are not touched.
      expect(all).toContain('press@example.org');
      if (mode === 'thread') {
        expect(all).toContain('https://medium.com/@harbourwatch/ferry-plan');
        expect(extractHashtags(all)).toEqual(expect.arrayContaining(['FerryNow', 'ferry', 'harbour']));
        expect(extractCashtags(all)).toEqual(['ACME']);
        // The headline (first post) and every paragraph: nothing lost but the joiners added.
        const bodies = posts.map((p) => p.body).join(' ');
        expect(bodies.replaceAll(WORD_JOINER, '').split(/\s+/)).toEqual(
          ARTICLE.paragraphs.join(' ').split(/\s+/),
        );
        expect(
          posts[0]!.text.startsWith(`Ferry service returns to the bay, says @${WORD_JOINER}portauthority`),
        ).toBe(true);
      }
      // Telegram is untouched: the article's characters exactly.
      const tgText = telegram!.result.posts.map((p) => p.text).join('\n');
      expect(tgText).not.toContain(WORD_JOINER);
      if (mode === 'thread') expect(tgText).toContain('said Jack Dorsey (@jack), who');
    },
  );

  it('quotes: a byline with a handle signs posts without notifying it', () => {
    const [x] = splitForChannels(ARTICLE, settings.channels, 'quotes');
    const signed = x!.result.posts.filter((p) => p.attribution === 'author');
    expect(signed.length).toBeGreaterThan(0);
    for (const post of signed) {
      expect(post.text).toContain(`Dana Reyes (@${WORD_JOINER}danareyes)`);
      expect(notified(post.text)).toEqual([]);
    }
  });

  it('the sentences the splitter sees are the ones `sentences` prints (post units line up)', () => {
    const [x] = splitForChannels(ARTICLE, settings.channels, 'thread');
    const units = segmentSentences(ARTICLE.paragraphs);
    const last = x!.result.posts.at(-1)!;
    expect(last.units[1]).toBe(units.length - 1);
    for (const post of x!.result.posts) {
      const covered = units
        .slice(post.units[0], post.units[1] + 1)
        .map((u) => u.text)
        .join(' ');
      expect(post.body.replaceAll(WORD_JOINER, '').replace(/\s+/g, ' ')).toBe(covered.replace(/\s+/g, ' '));
    }
  });
});

describe("the channel's own words are never changed", () => {
  const own = settingsFor('quotes', {
    quoteTemplate: '“{text}” via @baycourier[ {url}]',
    hashtags: ['#BayNews'],
    mentions: 'neutralize',
    textTags: 'neutralize',
  });

  it('a template @handle and the configured hashtags stay live; the article’s are neutralized', () => {
    const result = splitArticle(ARTICLE, own, rulesFor('twitter'));
    for (const post of result.posts) {
      expect(notified(post.text), post.text).toEqual(['baycourier']);
      expect(extractHashtags(post.text)).toEqual([]);
      expectRightLength(post, 280);
    }
    const thread = splitArticle(
      ARTICLE,
      {
        ...own,
        mode: 'thread',
        threadTemplates: { ...own.threadTemplates, last: '{text}\n\n{n}/{total} {hashtags}' },
      },
      rulesFor('twitter'),
    );
    expect(extractHashtags(thread.posts.at(-1)!.text)).toEqual(['BayNews']);
    expect(thread.posts.flatMap((p) => extractHashtags(p.text))).toEqual(['BayNews']);
    expect(result.warnings.filter((w) => w.includes('baycourier'))).toEqual([]);
  });
});

describe('keep: mentions go out live and the preview says so', () => {
  it.each(MODES)('%s: every live mention in a post that goes out is a warning; Telegram has none', (mode) => {
    const settings = settingsFor(mode, {
      mentions: 'keep',
      quoteTemplate: '“{text}” via @baycourier[ — {speaker}]',
    });
    const result = splitArticle(ARTICLE, settings, rulesFor('twitter'));
    const expected = new Set(
      result.selected.flatMap((p) =>
        notified(p.text)
          .filter((m) => m !== 'baycourier')
          .map((m) => `@${m}`),
      ),
    );
    expect(expected.size).toBeGreaterThan(0);
    const warned = result.warnings.filter((w) => w.startsWith('live mention: '));
    expect(warned.map((w) => /live mention: [@＠](\w+)/.exec(w)![1]!.toLowerCase()).sort()).toEqual(
      [...expected].map((m) => m.slice(1).toLowerCase()).sort(),
    );
    expect(warned[0]).toMatch(/^live mention: [@＠]\w+ — X will notify them$/);
    for (const post of result.selected) {
      // Once each, as written.
      expect(postLiveMentions(post.text, settings, 'twitter').map((m) => m.slice(1))).toEqual([
        ...new Set(notified(post.text).filter((m) => m !== 'baycourier')),
      ]);
      expect(postLiveMentions(post.text, settings, 'telegram')).toEqual([]);
    }
    const telegram = splitArticle(ARTICLE, defaultSplitSettings('telegram', mode), rulesFor('telegram'));
    expect(telegram.warnings.filter((w) => w.startsWith('live mention'))).toEqual([]);
  });
});

describe('drop: the tags go and the posts still read', () => {
  it.each(MODES)('%s', (mode) => {
    const result = splitArticle(
      ARTICLE,
      settingsFor(mode, { mentions: 'drop', textTags: 'drop' }),
      rulesFor('twitter'),
    );
    const all = result.posts.map((p) => p.text).join('\n');
    for (const post of result.posts) {
      expect(notified(post.text), post.text).toEqual([]);
      expect(extractHashtags(post.text)).toEqual([]);
      expect(extractCashtags(post.text)).toEqual([]);
      expect(post.text).not.toMatch(/ {2}| [,.;:!?)]|\( |\(\)/);
      expectRightLength(post, 280);
    }
    expect(all).not.toContain(WORD_JOINER);
    expect(all).toContain('press@example.org');
    if (mode === 'thread') {
      expect(all).toContain('said Jack Dorsey, who chairs the ferry board.');
      expect(all).toContain('“We asked POTUS for help and we got it,” Dorsey said.');
      expect(all).toContain('Great day on the water.\n\n');
      expect(all).toContain('the port authority said on Monday');
      expect(all).toContain('https://medium.com/@harbourwatch/ferry-plan');
    }
  });
});

describe('random articles full of mentions, every mode and length', () => {
  const PIECES = [
    'the ferry board met on Monday',
    'said @jack',
    '@POTUS signed it',
    '＠baycouncil agreed',
    'see https://medium.com/@jack/ferry for more',
    'write to press@example.org',
    '(@portauthority) said so',
    'via @harbourwatch',
    'the #FerryNow campaign grew',
    'shares of $ACME rose',
    '“@jack is right,” she said',
    'a name as long as @abcdefghijklmnopqrstuvwxyz',
    'RT@jack the crossing is back',
    'a much longer clause about the tides, the cranes, the ferries and the night shift on the piers',
  ];

  function randomArticle(seed: number): Article {
    const random = createSeededRandom(seed);
    const pick = () => PIECES[randomInt(random, 0, PIECES.length - 1)]!;
    const sentence = () => {
      const text = Array.from({ length: randomInt(random, 1, 4) }, pick).join(', ');
      return `${text}${['.', '.', '!', '?'][randomInt(random, 0, 3)]}`;
    };
    return {
      title: `Ferry news ${pick()}`,
      byline: random() < 0.5 ? 'Dana Reyes (@danareyes)' : '@danareyes',
      url: 'https://news.example.org/a',
      paragraphs: Array.from({ length: randomInt(random, 1, 6) }, () =>
        Array.from({ length: randomInt(random, 1, 5) }, sentence).join(' '),
      ),
    };
  }

  const CASES = Array.from({ length: 40 }, (_, i) => i + 1).flatMap((seed) =>
    (['neutralize', 'drop'] as const).flatMap((policy) => MODES.map((mode) => [seed, policy, mode] as const)),
  );

  it.each(CASES)('seed %d, %s, %s', (seed, policy, mode) => {
    const article = randomArticle(seed);
    for (const target of [120, 200, 280]) {
      const result = splitArticle(
        article,
        settingsFor(mode, { targetLength: target, mentions: policy, textTags: policy }),
        rulesFor('twitter'),
      );
      for (const post of result.posts) {
        const context = `${post.text} (target ${target})`;
        expect(notified(post.text), context).toEqual([]);
        expect(extractHashtags(post.text), context).toEqual([]);
        expect(extractCashtags(post.text), context).toEqual([]);
        expectRightLength(post, target);
      }
      expect(result.warnings.filter((w) => w.startsWith('live mention'))).toEqual([]);
    }
  });
});
