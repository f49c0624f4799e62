import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ArticleProblems,
  attributionProblems,
  type CorpusScore,
  findCorruption,
  type GoldArticle,
  loadCorpus,
  matchesPick,
  overlapsQuotation,
  ratio,
  scoreArticle,
  scoreCorpus,
  urlTokens,
  verifyGold,
} from '../../scripts/eval-editorial.js';
import type { SplitPost } from '../../src/domain/split-article.js';

/**
 * The editorial corpus (issue #9): articles we wrote in the shapes newsrooms hand over, with an
 * editor's gold annotations, split the way `quotecast split` does with platform defaults. The
 * figures are printed by `npm run eval:editorial -- --details`; these tests hold them at what an
 * editor needs: no furniture in posts, no words given to the wrong person, no quotation cut off from
 * its speaker, the article's characters unchanged, a headline on every thread, and chosen X quotes
 * that an editor would have picked.
 */

const corpus = loadCorpus();
let scored: CorpusScore | undefined;
/** Scored once, on first use (a few seconds: 13 articles, four runs each). */
function score(): CorpusScore {
  scored ??= scoreCorpus(corpus);
  return scored;
}

function findings(kind: keyof ArticleProblems): string[] {
  return score().articles.flatMap((a) => a.problems[kind].map((f) => `${a.file}: ${f}`));
}

describe('editorial corpus: the gold annotations', () => {
  it('has at least 12 articles of every kind, mostly plain text, one Markdown and one HTML', () => {
    const files = corpus.map((e) => e.gold.file);
    expect(files.length).toBeGreaterThanOrEqual(12);
    expect(new Set(files).size).toBe(files.length);
    expect(files.filter((f) => f.endsWith('.md'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.html'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.txt')).length).toBeGreaterThanOrEqual(10);
    expect(new Set(corpus.map((e) => e.gold.kind))).toEqual(new Set(['press-release', 'news', 'opinion']));
    expect(corpus.filter((e) => e.gold.title === null).length).toBeGreaterThanOrEqual(1);
    expect(corpus.some((e) => e.gold.quotations.some((q) => q.speakers.length === 0))).toBe(true);
  });

  it('every gold substring is in its text (NFC, collapsed whitespace) and every quotation is listed', () => {
    expect(corpus.flatMap(verifyGold)).toEqual([]);
  });

  it('the gold check fails on a substring the text does not have', () => {
    const entry = corpus[0]!;
    const broken: GoldArticle = {
      ...entry.gold,
      neverPost: [...entry.gold.neverPost, 'Not in this article'],
    };
    expect(verifyGold({ ...entry, gold: broken })).toEqual([
      `${entry.gold.file}: neverPost not in the text: "Not in this article"`,
    ]);
  });
});

describe('editorial corpus: the scorer sees what it claims to see', () => {
  const probeGold: GoldArticle = {
    file: 'probe.txt',
    kind: 'news',
    title: 'Harbor Board Approves Seawall Repairs',
    author: null,
    neverPost: ['The board met on Tuesday'],
    quotations: [],
    picks: [],
  };
  const probeText =
    'Harbor Board Approves Seawall Repairs\n\nThe board met on Tuesday and approved repairs to the north seawall. Work starts in June.\n';

  it('body text marked as furniture is counted as a leak in every run', () => {
    const result = scoreArticle({ gold: probeGold, bytes: new TextEncoder().encode(probeText) });
    expect(result.problems.failures).toEqual([]);
    expect(result.problems.leaks.length).toBeGreaterThanOrEqual(4);
  });

  it('an unreadable or empty article is a failure with its message, not a crash', () => {
    const missing = scoreArticle({ gold: probeGold, readError: 'cannot read probe.txt: ENOENT' });
    expect(missing.problems.failures).toEqual(['cannot read probe.txt: ENOENT']);
    const empty = scoreArticle({ gold: probeGold, bytes: new Uint8Array() });
    expect(empty.problems.failures).toHaveLength(1);
    expect(empty.problems.failures[0]).toMatch(/^ingest: /);
  });

  it('a space inside an address, or changed characters, is corruption', () => {
    const source = 'The channel, t.me/norland_refund_office, links to example.org/refund.claim today.';
    expect(
      findCorruption(
        'The channel, t.me/norland_refund_office, links to example.org/refund.claim today.',
        source,
      ),
    ).toBe(undefined);
    expect(findCorruption('The channel, t.me/ norland_refund_office, links', source)).toMatch(/address/);
    expect(findCorruption('links to example.org/refund.', source)).toMatch(/address/);
    expect(findCorruption('The channel, links to example.org/refund.claim today.', source)).toMatch(/joined/);
    expect(findCorruption('The channel links to nowhere at all.', source)).toMatch(/not in the article/);
    expect(urlTokens('mail fraud.unit@nsp.example.gov, at 3:27 a.m. Aug. 26')).toEqual([
      'fraud.unit@nsp.example.gov',
    ]);
  });

  it('a speaker is checked against the gold, and a known speaker left off is noticed', () => {
    const gold: GoldArticle = {
      file: 'probe.txt',
      kind: 'news',
      title: null,
      author: 'Noor Haddad',
      neverPost: [],
      quotations: [
        { text: 'We are closer than we were on Friday', speakers: [], attribution: 'she said' },
        { text: 'We will rebuild', speakers: ['Diane Okafor'], attribution: 'said Diane Okafor' },
      ],
      picks: [],
    };
    const post = (body: string, speaker?: string): SplitPost => ({
      text: body,
      length: body.length,
      body,
      forced: false,
      units: [0, 0],
      ...(speaker ? { speaker } : {}),
    });
    expect(
      attributionProblems(
        post('“We are closer than we were on Friday,” she said.', 'Elliot Crane'),
        gold,
        undefined,
      ).wrong,
    ).toMatch(/does not say who spoke/);
    expect(attributionProblems(post('We will rebuild.', 'Diane Okafor'), gold, undefined)).toEqual({});
    expect(attributionProblems(post('We will rebuild.', 'Okafor'), gold, undefined).incompleteName).toBe(
      true,
    );
    expect(attributionProblems(post('We will rebuild.'), gold, undefined).unattributed).toMatch(/no speaker/);
    expect(attributionProblems(post('“We will rebuild,” said Diane Okafor.'), gold, undefined)).toEqual({});
    expect(attributionProblems(post('The council met.', 'Noor Haddad'), gold, undefined)).toEqual({});
    expect(attributionProblems(post('The council met.', 'Diane Okafor'), gold, undefined).wrong).toMatch(
      /own words/,
    );
    // A template that prints the byline claims the byline, whatever `speaker` says.
    expect(
      attributionProblems(
        { ...post('We will rebuild.'), text: '“We will rebuild.” — Noor Haddad' },
        gold,
        'Noor Haddad',
      ).wrong,
    ).toMatch(/Diane Okafor's words/);
  });

  it('quotations and picks match across re-punctuation but not across different words', () => {
    expect(
      overlapsQuotation(
        '“We have been buying time with concrete and sandbags.”',
        'We have been buying time with concrete and sandbags',
      ),
    ).toBe(true);
    expect(overlapsQuotation('The board met on Tuesday.', 'We will rebuild')).toBe(false);
    expect(
      matchesPick(
        'There was a canoe in the middle of Front Street.',
        '“There was a canoe in the middle of Front Street,” Okafor said.',
      ),
    ).toBe(true);
    expect(
      matchesPick(
        'The council meets again May 6.',
        '“There was a canoe in the middle of Front Street,” Okafor said.',
      ),
    ).toBe(false);
  });
});

describe('editorial corpus: posts as an editor wants them (npm run eval:editorial -- --details)', () => {
  // The scoring itself (a few seconds idle, over 20 on a loaded 2-core machine) is set-up, not a test.
  beforeAll(() => void score(), 120_000);

  it('every article ingests and splits in all four runs', () => {
    expect(findings('failures')).toEqual([]);
  });

  it('no furniture in any post: captions, credits, contacts, end markers, promos, bios, datelines', () => {
    expect(findings('leaks')).toEqual([]);
  });

  it('no quotation is attributed to anyone but its speaker, and the author signs only their own words', () => {
    expect(findings('wrongAttributions')).toEqual([]);
  });

  it('no quotation is cut off from its speaker', () => {
    expect(findings('splitFromSpeaker')).toEqual([]);
  });

  it("no post changes the article's characters or puts a space inside an address", () => {
    expect(findings('corrupted')).toEqual([]);
  });

  it('ingestion keeps every quotation and pick of the gold', () => {
    expect(findings('lost')).toEqual([]);
  });

  it('every thread opens with the headline, and none is invented for a text without one', () => {
    expect(findings('headlines')).toEqual([]);
    const { ok, checked } = score().totals.headlines;
    expect(checked).toBe(2 * corpus.length);
    expect(ok).toBe(checked);
  });

  // The aim is 0.8; measured 0.74 on X and on Telegram (README, "Editorial quality"). Precision is
  // a judgement of taste on a small corpus: the floor catches a ranking change that makes the picks
  // clearly worse, without tuning the scores to this one editor.
  it('quotes mode chooses quotes an editor would pick (precision no lower than measured)', () => {
    const { twitter, telegram } = score().totals.precision;
    expect(twitter.chosen).toBeGreaterThan(0);
    expect(ratio(twitter)).toBeGreaterThanOrEqual(0.72);
    expect(ratio(telegram)).toBeGreaterThanOrEqual(0.72);
  });
});
