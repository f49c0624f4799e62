import twitterText from 'twitter-text';
import { describe, expect, it } from 'vitest';
import {
  applyMentionPolicy,
  applyMentionPolicyToArticle,
  liveMentions,
  liveMentionWarning,
  type MentionPolicy,
  WORD_JOINER,
} from '../../src/domain/mentions.js';
import { twitterWeightedLength } from '../../src/domain/platform-rules.js';
import { createSeededRandom, randomInt } from '../helpers/seeded-random.js';

// twitter-text is CommonJS: its functions exist only on the default export at run time.
const {
  extractCashtags,
  extractEntitiesWithIndices,
  extractHashtags,
  extractMentions,
  extractMentionsOrListsWithIndices,
  extractUrlsWithIndices,
  parseTweet,
} = twitterText;

const NEUTRALIZE: MentionPolicy = { mentions: 'neutralize', textTags: 'neutralize' };
const DROP: MentionPolicy = { mentions: 'drop', textTags: 'drop' };
const KEEP: MentionPolicy = { mentions: 'keep', textTags: 'keep' };

/**
 * The accounts X would notify for a text: twitter-text's mentions and lists, less those inside a link
 * (X extracts links first: `https://medium.com/@jack` is a link, not a mention).
 */
function notified(text: string): string[] {
  const links = extractUrlsWithIndices(text).map((u) => u.indices);
  return extractMentionsOrListsWithIndices(text)
    .filter((m) => !links.some(([s, e]) => m.indices[0] < e && m.indices[1] > s))
    .map((m) => m.screenName);
}

/** Hashtags and cashtags X would link, less those inside a link. */
function tagsOf(text: string): string[] {
  return extractEntitiesWithIndices(text).flatMap((e) =>
    'hashtag' in e ? [`#${e.hashtag}`] : 'cashtag' in e ? [`$${e.cashtag}`] : [],
  );
}

/** Where the mention stands: every place the brief names, and X's own quirks. */
const MENTION_CASES: [string, string, string[]][] = [
  ['start of the text', '@jack said the ferry was late.', ['jack']],
  ['after punctuation', 'Late again;@jack said so, and (@POTUS) agreed.', ['jack', 'POTUS']],
  ['in quotes', '“@jack is right,” she said. "@POTUS too."', ['jack', 'POTUS']],
  ['the .@ idiom', '.@jack is wrong about the ferry.', ['jack']],
  ['a 15-character name', 'Ask @abcdefghijklmno today.', ['abcdefghijklmno']],
  [
    'a 26-character name (X reads the first 20)',
    'Ask @abcdefghijklmnopqrstuvwxyz now.',
    ['abcdefghijklmnopqrst'],
  ],
  ['the fullwidth at-sign U+FF20', 'Thanks ＠jack and ＠ＰＯＴＵＳ for ＠POTUS.', ['jack', 'POTUS']],
  ['a retweet prefix', 'RT@jack: the ferry is late', ['jack']],
  ['a possessive', "He met @jack’s team and @POTUS's aides.", ['jack', 'POTUS']],
  ['after an accented letter', 'café@jack opened', ['jack']],
  ['a list', 'Follow @jack/ferry-news for updates.', []],
  ['a bare underscore', 'The @_ account.', ['_']],
  ['mid-paragraph after a dash', 'The captain—@jack—waved.', ['jack']],
];

describe('neutralize: the name stays, X finds no mention', () => {
  it.each(MENTION_CASES)('%s', (_, text, mentions) => {
    expect(notified(text), 'the case has the live mentions it claims').toEqual(
      expect.arrayContaining(mentions),
    );
    const out = applyMentionPolicy(text, { mentions: 'neutralize', textTags: 'keep' });
    expect(extractMentions(out)).toEqual([]);
    expect(extractMentionsOrListsWithIndices(out)).toEqual([]);
    expect(out.replaceAll(WORD_JOINER, ''), 'readable: only the joiner was added').toBe(text);
    // X counts the joiner 2; the splitter's own measure agrees with parseTweet.
    const added = out.length - text.length;
    expect(parseTweet(out).weightedLength).toBe(parseTweet(text).weightedLength + 2 * added);
    expect(twitterWeightedLength(out)).toBe(parseTweet(out).weightedLength);
    expect(parseTweet(out).valid).toBe(true);
  });

  it('puts U+2060 right after the sign', () => {
    expect(applyMentionPolicy('Ask @jack or ＠POTUS.', NEUTRALIZE)).toBe('Ask @\u2060jack or ＠\u2060POTUS.');
  });

  it('leaves e-mail addresses and links with @ exactly as they are', () => {
    const texts = [
      'Write to press@example.org or press.office@port.example.gov.',
      'mailto:press@example.org',
      'Read https://medium.com/@jack/the-ferry-story and medium.com/@jack today.',
      'See https://x.com/@jack?lang=en, (https://example.org/#anchor) and https://example.org/$ACME.',
      'foo@bar, a+b@c.io, j_doe@example.net',
    ];
    for (const text of texts) {
      expect(applyMentionPolicy(text, NEUTRALIZE), text).toBe(text);
      expect(applyMentionPolicy(text, DROP), text).toBe(text);
    }
  });

  it('neutralizes a mention right before a link-like word (X reads the mention first)', () => {
    const text = 'Ask @jack.com today';
    expect(notified(text)).toEqual(['jack']);
    const out = applyMentionPolicy(text, NEUTRALIZE);
    expect(notified(out)).toEqual([]);
    expect(out.replaceAll(WORD_JOINER, '')).toBe(text);
  });

  it('hashtags and cashtags have their own setting', () => {
    const text = 'Shares of $ACME rose after #MeToo and ＃ferry trended; @jack noticed.';
    expect(tagsOf(text)).toEqual(['$ACME', '#MeToo', '#ferry']);
    const mentionsOnly = applyMentionPolicy(text, { mentions: 'neutralize', textTags: 'keep' });
    expect(extractMentions(mentionsOnly)).toEqual([]);
    expect(tagsOf(mentionsOnly)).toEqual(['$ACME', '#MeToo', '#ferry']);
    const tagsOnly = applyMentionPolicy(text, { mentions: 'keep', textTags: 'neutralize' });
    expect(extractMentions(tagsOnly)).toEqual(['jack']);
    expect(extractHashtags(tagsOnly)).toEqual([]);
    expect(extractCashtags(tagsOnly)).toEqual([]);
    expect(tagsOnly.replaceAll(WORD_JOINER, '')).toBe(text);
  });

  it('a cashtag right after an opening quotation mark is neutralized too (quotes mode removes the mark)', () => {
    const out = applyMentionPolicy('“$ACME rose,” he said.', { mentions: 'keep', textTags: 'neutralize' });
    expect(out).toBe(`“$${WORD_JOINER}ACME rose,” he said.`);
    expect(extractCashtags(out.replace('“', ''))).toEqual([]);
  });

  it('keep changes nothing', () => {
    for (const [, text] of MENTION_CASES) expect(applyMentionPolicy(text, KEEP)).toBe(text);
  });
});

describe('drop: the tag goes and the sentence still reads', () => {
  it.each([
    // Asides go whole, with their brackets, connector or separator.
    ['Jack Dorsey (@jack) said the bill was fine.', 'Jack Dorsey said the bill was fine.'],
    ['The photo was shared (via @jack) on Monday.', 'The photo was shared on Monday.'],
    ['The mayor [@cityhall] agreed.', 'The mayor agreed.'],
    ['Jack Dorsey (@jack), the founder, spoke.', 'Jack Dorsey, the founder, spoke.'],
    ['Read the thread via @jack.', 'Read the thread.'],
    ['Good point, h/t @jack.', 'Good point.'],
    ['The ferry is late (cc: @POTUS).', 'The ferry is late.'],
    ['Thanks to everyone who came, @jack.', 'Thanks to everyone who came.'],
    ['@jack @POTUS thanks for the ferry.', 'thanks for the ferry.'],
    ['Great day on the river. #tbt #love', 'Great day on the river.'],
    ['Great day on the river. @jack', 'Great day on the river.'],
    ['A fine day #ferry #harbour on the water.', 'A fine day on the water.'],
    // A tag the sentence needs keeps its word: "said ." would not read.
    ['“We are ready,” said @jack.', '“We are ready,” said jack.'],
    ['@POTUS signed the ferry bill.', 'POTUS signed the ferry bill.'],
    ['.@jack is wrong about this.', 'jack is wrong about this.'],
    ['Thanks, @jack, for coming.', 'Thanks, jack, for coming.'],
    ['He met @jack’s team.', 'He met jack’s team.'],
    ['The #MeToo movement grew and $ACME fell.', 'The MeToo movement grew and ACME fell.'],
    ['RT@jack the ferry is late', 'RT jack the ferry is late'],
    ['He caught @jack at the pier.', 'He caught jack at the pier.'],
    ['The bill passed via @jack’s office.', 'The bill passed via jack’s office.'],
    ['A @jack-led board (@POTUS’s pick) met.', 'A jack-led board (POTUS’s pick) met.'],
    ['Thanks ＠jack.', 'Thanks jack.'],
  ])('%s', (text, expected) => {
    const out = applyMentionPolicy(text, DROP);
    expect(out).toBe(expected);
    expect(notified(out)).toEqual([]);
    expect(tagsOf(out)).toEqual([]);
  });

  it('a text of nothing but tags becomes empty', () => {
    expect(applyMentionPolicy('@jack @POTUS', DROP)).toBe('');
    expect(applyMentionPolicy('#tbt #love!', DROP)).toBe('');
    expect(applyMentionPolicy('(@jack)', DROP)).toBe('');
  });

  it('drops mentions and neutralizes hashtags in one text when told so', () => {
    const out = applyMentionPolicy('Jack Dorsey (@jack) liked #ferry.', {
      mentions: 'drop',
      textTags: 'neutralize',
    });
    expect(out).toBe(`Jack Dorsey liked #${WORD_JOINER}ferry.`);
  });
});

describe('the article as a whole', () => {
  const article = {
    title: 'Ferry returns, says @portauthority',
    byline: 'Dana Reyes (@danareyes)',
    url: 'https://news.example.org/@desk/ferry',
    publication: 'The Courier',
    paragraphs: ['The ferry is back (@jack).', '@jack @POTUS', 'See https://medium.com/@jack for more.'],
  };

  it('neutralize: title, byline and paragraphs; the URL is left alone', () => {
    const out = applyMentionPolicyToArticle(article, { mentions: 'neutralize', textTags: 'keep' });
    expect(out.title).toBe(`Ferry returns, says @${WORD_JOINER}portauthority`);
    expect(out.byline).toBe(`Dana Reyes (@${WORD_JOINER}danareyes)`);
    expect(out.url).toBe(article.url);
    expect(out.publication).toBe('The Courier');
    expect(out.paragraphs).toHaveLength(3);
    for (const text of [out.title, out.byline ?? '', ...out.paragraphs]) expect(notified(text)).toEqual([]);
  });

  it('drop: a paragraph of nothing but mentions goes; a byline of one mention goes', () => {
    const out = applyMentionPolicyToArticle({ ...article, byline: '@danareyes' }, DROP);
    expect(out.paragraphs).toEqual(['The ferry is back.', 'See https://medium.com/@jack for more.']);
    expect(out.byline).toBeUndefined();
    expect(out.title).toBe('Ferry returns, says portauthority');
  });

  it('keep returns the article itself', () => {
    expect(applyMentionPolicyToArticle(article, KEEP)).toBe(article);
  });
});

describe('liveMentions and the preview line', () => {
  it('lists the mentions X will notify, as written, once each', () => {
    expect(
      liveMentions(
        'Hi @jack, ＠POTUS and @Jack; not press@example.org, https://medium.com/@jack or @jack/list',
      ),
    ).toEqual(['@jack', '＠POTUS']);
    expect(liveMentions(`Hi @${WORD_JOINER}jack`)).toEqual([]);
    expect(liveMentions('no mentions here')).toEqual([]);
  });

  it('formats the warning line', () => {
    expect(liveMentionWarning('@jack')).toBe('live mention: @jack — X will notify them');
  });
});

describe('random text: no policy leaves a live tag, and addresses and links survive', () => {
  const PIECES = [
    '@jack',
    '@POTUS',
    '＠jack',
    '.@jack',
    '(@jack)',
    '“@jack”',
    '@abcdefghijklmnopqrstuvwxyz',
    'RT@jack',
    '@jack/list',
    'press@example.org',
    'https://medium.com/@jack',
    'medium.com/@jack/story',
    '#ferry',
    '＃ferry',
    '$ACME',
    '“$ACME',
    'via',
    'cc:',
    'h/t',
    'said',
    'the ferry',
    'Jack Dorsey',
    ',',
    '.',
    ';',
    '—',
    '(',
    ')',
    'é',
    '@',
    '#',
    '$',
    '日本',
    '😀',
  ];
  const KEPT = ['press@example.org', 'https://medium.com/@jack', 'medium.com/@jack/story'];
  const policies = ['keep', 'neutralize', 'drop'] as const;

  it('2,000 seeded texts under every combination of policies', () => {
    const random = createSeededRandom(11);
    for (let n = 0; n < 2000; n++) {
      const parts = Array.from(
        { length: randomInt(random, 1, 14) },
        () => PIECES[randomInt(random, 0, PIECES.length - 1)]!,
      );
      const text = parts
        .map((p) => (random() < 0.8 ? ` ${p}` : p))
        .join('')
        .trim();
      const policy = {
        mentions: policies[randomInt(random, 0, 2)]!,
        textTags: policies[randomInt(random, 0, 2)]!,
      };
      const out = applyMentionPolicy(text, policy);
      const context = `${JSON.stringify(text)} ${JSON.stringify(policy)} -> ${JSON.stringify(out)}`;
      if (policy.mentions !== 'keep') expect(notified(out), context).toEqual([]);
      else expect(notified(out), context).toEqual(notified(text));
      if (policy.textTags !== 'keep') expect(tagsOf(out), context).toEqual([]);
      if (policy.mentions === 'neutralize' && policy.textTags !== 'drop')
        expect(out.replaceAll(WORD_JOINER, ''), context).toBe(text);
      if (policy.mentions === 'drop' || policy.textTags === 'drop') {
        expect(out, context).not.toMatch(/ {2}/);
        expect(out, context).toBe(out.trim());
      }
      // An address or a link standing as a word of its own is never touched.
      for (const kept of KEPT) {
        const standing = new RegExp(`(?:^| )${kept.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?= |$)`, 'g');
        const before = text.match(standing)?.length ?? 0;
        if (before > 0) expect(out.split(kept).length - 1, context).toBeGreaterThanOrEqual(before);
      }
      expect(twitterWeightedLength(out), context).toBe(parseTweet(out).weightedLength);
    }
  });
});
