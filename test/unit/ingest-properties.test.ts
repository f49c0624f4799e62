import fc from 'fast-check';
import { parseHTML } from 'linkedom';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestDocument as ingestArticle } from '../../src/adapters/document/document-readers.js';
import type { Article, Platform, PostingMode } from '../../src/domain/article.js';
import type { InputFormat } from '../../src/domain/ingest-input.js';
import { scanHtmlComplexity } from '../../src/domain/ingest-limits.js';
import { cutLongParagraph, MAX_PARAGRAPH_CHARS } from '../../src/domain/ingest-text.js';
import { splitAtBlankLines } from '../../src/domain/normalize-text.js';
import { rulesFor } from '../../src/domain/platform-rules.js';
import { sentenceSpans } from '../../src/domain/segment-sentences.js';
import { splitArticle } from '../../src/domain/split-article.js';
import { defaultSplitSettings } from '../../src/use-cases/prepare-article.js';
import {
  defaultRules,
  hasLoneSurrogate,
  platformLength,
  squeeze,
  tweetIsValid,
} from '../fixtures/fixtures.js';

/**
 * Random Unicode, random HTML and random Markdown through ingestion and the real splitter, with each
 * platform's default channel settings, both modes: ingestion never throws (a refusal is an outcome),
 * splitting never throws, every post is valid for its platform and measured as the platform
 * measures it, no word is broken (each word of a post stands whole in the article), and a thread
 * carries the whole body. Seeded; `npm test` runs a bounded number of cases (about 4 s on an idle
 * machine), the hostile bench (`npm run bench -- hostile`) a larger budget through
 * QUOTECAST_PROPERTY_RUNS (cases per property, 1000 there); QUOTECAST_PROPERTY_SEED explores other
 * seeds. A random article costs about 12-25 ms to ingest and split (evenly: no case stands out), so
 * the three whole-article properties run 40, 30 and 40 cases in the fast tier, not 100, 80 and 100:
 * that was 7 of its 9 s, on a 2-core machine that runs the rest of the fast tier at the same time.
 */

const SEED = Number(process.env.QUOTECAST_PROPERTY_SEED) || 20_261_203;
const RUNS = Number(process.env.QUOTECAST_PROPERTY_RUNS) || undefined;
let cases = 0;
let properties = 0;

function check<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => void, defaultRuns: number): void {
  const numRuns = RUNS ?? defaultRuns;
  fc.assert(
    fc.property(arbitrary, (value) => {
      predicate(value);
    }),
    { seed: SEED, numRuns },
  );
  cases += numRuns;
  properties++;
}

afterAll(() => {
  console.log(`ingest properties: ${cases} cases over ${properties} properties (seed ${SEED})`);
});

// ---- words, sentences, articles -------------------------------------------------------------------

/** Tokens that trip splitters: URLs, addresses, numbers, abbreviations, marks, emoji, other scripts. */
const NEWSY = [
  'harbour',
  'Okafor',
  'said',
  'the',
  'U.S.',
  'Dr.',
  'Jan.',
  '3,000',
  '2.5',
  '$4.2',
  'https://t.me/qc_news',
  'courier.example.org/news/2024/pier.html',
  'press.office@port.example.gov',
  '“We',
  'rebuild,”',
  '“Not',
  'now.”',
  '"quoted',
  'words"',
  '(AP)',
  '—',
  '…',
  '👩‍👩‍👧',
  '🇵🇹',
  '日本語の文章です。',
  'café',
  'Ελλάδα',
  'عربى',
  '#harbour',
  '$PORT',
  '@jack',
  '＠POTUS',
  'a.m.',
  'No.',
  '¿Qué?',
  '1.',
  '•',
  '-',
  '&amp;',
];

const word = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...NEWSY) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }) },
  // Now and then a token longer than a post.
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 40, maxLength: 320 }) },
);
const space = fc.constantFrom(' ', ' ', ' ', '  ', '\t', '\u00a0', '\n');
const sentence = fc
  .tuple(
    fc.array(fc.tuple(word, space), { minLength: 1, maxLength: 24 }),
    fc.constantFrom('.', '.', '!', '?', '…', ''),
  )
  .map(([parts, end]) => `${parts.map(([w, s]) => w + s).join('')}${end}`.trim());
const paragraph = fc.array(sentence, { minLength: 1, maxLength: 5 }).map((s) => s.join(' '));
const title = fc.option(
  fc.oneof(
    fc.array(fc.constantFrom('Harbour', 'Reopens', 'After', 'Eleven', 'Years', '🚢', '«Port»', '港'), {
      minLength: 1,
      maxLength: 8,
    }),
    // Now and then a "headline" as long as a paragraph, or a whole one.
    paragraph.map((p) => p.split(' ')),
  ),
  { nil: undefined },
);

const textArticle = fc
  .tuple(
    title,
    fc.array(paragraph, { minLength: 1, maxLength: 6 }),
    fc.constantFrom('\n\n', '\n', '\r\n\r\n'),
  )
  .map(([head, body, gap]) => [...(head ? [head.join(' ')] : []), ...body].join(gap));

// ---- HTML ------------------------------------------------------------------------------------------

const escapeHtml = (text: string) =>
  text
    .replace(/&(?!amp;)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
const BLOCKS = [
  'div',
  'p',
  'section',
  'article',
  'blockquote',
  'ul',
  'ol',
  'li',
  'h2',
  'figure',
  'figcaption',
  'aside',
];
const INLINE = ['span', 'a', 'b', 'em', 'strong'];
const CLASSES = [
  '',
  'story',
  'caption',
  'byline',
  'related-links',
  'share',
  'newsletter',
  'content',
  'photo-credit',
];

const html = fc.letrec<{ node: string; element: string; text: string }>((tie) => ({
  text: paragraph.map(escapeHtml),
  node: fc.oneof({ maxDepth: 5, depthIdentifier: 'html' }, tie('text'), tie('element'), tie('element')),
  element: fc
    .tuple(
      fc.constantFrom(...BLOCKS, ...INLINE, 'br', 'img', 'script', 'style'),
      fc.constantFrom(...CLASSES),
      fc.array(tie('node'), { maxLength: 4 }),
    )
    .map(([tag, cls, children]) => {
      const attr = cls ? ` class="${cls}"` : '';
      if (tag === 'br' || tag === 'img') return `<${tag}${attr}>`;
      if (tag === 'script' || tag === 'style') return `<${tag}>var x = "<div><p>";</${tag}>`;
      return `<${tag}${attr}>${children.join('')}</${tag}>`;
    }),
}));

const attribute = (text: string) => escapeHtml(text).replace(/"/g, '&quot;');
const htmlPage = fc
  .tuple(
    title,
    fc.array(html.node, { minLength: 1, maxLength: 6 }),
    fc.boolean(),
    fc.option(paragraph, { nil: undefined }),
    fc.option(
      fc.constantFrom('https://courier.example/a', `https://courier.example/${'long/'.repeat(200)}`),
      {
        nil: undefined,
      },
    ),
  )
  .map(([head, body, whole, author, canonical]) => {
    const meta = [
      ...(author ? [`<meta name="author" content="${attribute(author)}">`] : []),
      ...(canonical ? [`<link rel="canonical" href="${canonical}">`] : []),
    ].join('');
    return whole
      ? `<!doctype html><html><head><title>${escapeHtml(head?.join(' ') ?? '')}</title>${meta}</head><body>${body.join('')}</body></html>`
      : `<article>${body.join('')}</article>`;
  });

/** Tag soup: broken nesting, stray end tags, comments, self-closing tags where HTML ignores them. */
const soup = fc
  .array(
    fc.oneof(
      fc
        .tuple(
          fc.constantFrom(
            'div',
            'p',
            'li',
            'td',
            'tr',
            'svg',
            'g',
            'math',
            'title',
            'script',
            'b',
            'dd',
            'option',
          ),
          fc.boolean(),
          fc.boolean(),
        )
        .map(([tag, close, selfClose]) => (close ? `</${tag}>` : `<${tag}${selfClose ? '/' : ''}>`)),
      fc.constantFrom(
        'text ',
        '<!-- <div> -->',
        '<![CDATA[<div>]]>',
        '<a href=x/>',
        '<i title="a>b">',
        '<',
        '</ >',
      ),
    ),
    { maxLength: 40 },
  )
  .map((parts) => `<html><body>${parts.join('')}</body></html>`);

// ---- Markdown --------------------------------------------------------------------------------------

const markdownBlock = fc.oneof(
  paragraph,
  paragraph.map((p) => `## ${p.slice(0, 60)}`),
  fc.array(paragraph, { minLength: 1, maxLength: 4 }).map((items) => items.map((i) => `- ${i}`).join('\n')),
  fc
    .array(paragraph, { minLength: 1, maxLength: 4 })
    .map((items) => items.map((i, n) => `${n + 1}. ${i}`).join('\n')),
  fc
    .array(fc.tuple(fc.integer({ min: 0, max: 4 }), paragraph), { minLength: 1, maxLength: 4 })
    .map((items) => items.map(([depth, i]) => `${'  '.repeat(depth)}- ${i}`).join('\n')),
  fc.tuple(fc.integer({ min: 1, max: 4 }), paragraph).map(([depth, p]) => `${'> '.repeat(depth)}${p}`),
  paragraph.map((p) => `*${p}*`),
  paragraph.map((p) => `[${p.slice(0, 30)}](https://courier.example/a) ${p}`),
  paragraph.map((p) => `![photo](harbour.jpg)\n*${p.slice(0, 40)}*`),
  fc.constant('```\n> > > code, not a quote\n- nor a list\n```'),
  fc.constant('***'),
  fc.constant('<div class="ad">Advertisement</div>'),
);
const markdownArticle = fc
  .tuple(title, fc.boolean(), fc.array(markdownBlock, { minLength: 1, maxLength: 8 }))
  .map(([head, front, blocks]) =>
    [
      ...(front ? ['---\nauthor: Ana Lima\nurl: https://courier.example/a\n---'] : []),
      ...(head ? [`# ${head.join(' ')}`] : []),
      ...blocks,
    ].join('\n\n'),
  );

// ---- the checks ------------------------------------------------------------------------------------

function ingest(text: string | Uint8Array, format: InputFormat | 'auto') {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return ingestArticle(bytes, { rules: defaultRules, maxBytes: 1024 * 1024, source: 'random', format });
}

const PLATFORMS: readonly Platform[] = ['twitter', 'telegram'];
const MODES: readonly PostingMode[] = ['quotes', 'thread'];
const LIMIT: Record<Platform, number> = { twitter: 280, telegram: 4096 };

/** Letters, digits and marks: what a word is made of (a cut between two of them breaks a word). */
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

/** The word's core (without surrounding punctuation) stands in the source with no word character touching it. */
function standsWhole(core: string, source: string): boolean {
  for (let at = source.indexOf(core); at !== -1; at = source.indexOf(core, at + 1)) {
    const before = source[at - 1] ?? ' ';
    const after = source[at + core.length] ?? ' ';
    if (!WORD_CHAR.test(before) && !WORD_CHAR.test(after)) return true;
  }
  return false;
}

function core(token: string): string {
  return invisible(token).replace(/^[^\p{L}\p{N}\p{M}]+|[^\p{L}\p{N}\p{M}]+$/gu, '');
}

/**
 * Without format characters (\p{Cf}). Ingestion drops the invisible ones (U+2060, U+200B, U+FEFF,
 * U+00AD), and the X mentions policy puts a word joiner after "@" so that nobody is notified: the
 * article's words are the same words.
 */
function invisible(text: string): string {
  return text.replace(/\p{Cf}/gu, '');
}

/** Splits an ingested article every way a default channel does, and checks every post. */
function checkSplits(article: Article): void {
  const source = invisible(article.paragraphs.join('\n'));
  for (const platform of PLATFORMS) {
    for (const mode of MODES) {
      const rules = rulesFor(platform);
      const { posts } = splitArticle(article, defaultSplitSettings(platform, mode), rules);
      for (const post of posts) {
        expect(post.length, post.text).toBe(platformLength(platform, post.text));
        expect(post.length, post.text).toBeLessThanOrEqual(LIMIT[platform]);
        if (platform === 'twitter') expect(tweetIsValid(post.text), post.text).toBe(true);
        else expect(post.text.trim().length, post.text).toBeGreaterThan(0);
        expect(hasLoneSurrogate(post.text), post.text).toBe(false);
        // A token longer than a whole post is the one word that may be cut (and says so).
        if (post.forced) continue;
        for (const token of post.body.split(/\s+/)) {
          const word = core(token);
          if (word) expect(standsWhole(word, source), `"${word}" of ${JSON.stringify(post.body)}`).toBe(true);
        }
      }
      if (mode === 'thread') {
        // Nothing of the body lost, added or reordered: only whitespace may differ.
        expect(invisible(squeeze(posts.map((p) => p.body).join(' ')))).toBe(
          invisible(squeeze(article.paragraphs.join(' '))),
        );
      }
    }
  }
}

function ingestAndSplit(text: string, format: InputFormat | 'auto'): void {
  const outcome = ingest(text, format);
  if (outcome.ok) checkSplits(outcome.article);
  else expect(outcome.problem.message.length).toBeGreaterThan(0);
}

describe('ingestion never throws', () => {
  it('on random bytes (binary, truncated UTF-8, NUL) and random code points in any format', () => {
    check(
      fc.tuple(
        fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })),
        fc.constantFrom<InputFormat | 'auto'>('auto', 'text', 'markdown', 'html'),
      ),
      ([input, format]) => {
        const outcome = ingest(input, format);
        if (!outcome.ok) expect(outcome.problem.message).toContain('random');
      },
      300,
    );
  });
});

describe('random articles through ingestion and splitting', () => {
  it('plain text with random Unicode', () => {
    check(textArticle, (text) => ingestAndSplit(text, 'text'), 40);
  });

  it('random HTML pages', () => {
    check(htmlPage, (page) => ingestAndSplit(page, 'html'), 30);
  });

  it('random Markdown', () => {
    check(markdownArticle, (markdown) => ingestAndSplit(markdown, 'markdown'), 40);
  });
});

describe('the pieces under the limits', () => {
  it('the HTML scan never counts less depth than the DOM linkedom builds', () => {
    type Node = { children: Iterable<Node> };
    const deepest = (node: Node, depth: number): number =>
      Math.max(depth, ...[...node.children].map((child) => deepest(child, depth + 1)));
    check(
      fc.oneof(soup, htmlPage),
      (page) => {
        const { document } = parseHTML(page);
        const dom = deepest(document.documentElement as unknown as Node, 1);
        expect(scanHtmlComplexity(page, { maxDepth: 1e6, maxElements: 1e9 }).depth).toBeGreaterThanOrEqual(
          dom,
        );
      },
      300,
    );
  });

  it('blank lines split paragraphs as the regular expression did', () => {
    check(
      fc.string({ unit: fc.constantFrom('a', ' ', '\n', '  \n', 'b\n\n', '\n \n'), maxLength: 30 }),
      (text) => expect(splitAtBlankLines(text)).toEqual(text.split(/\n(?: *\n)+/)),
      500,
    );
  });

  it('a paragraph over the cap is cut at sentence ends only, every character kept', () => {
    check(
      fc.array(sentence, { minLength: 1, maxLength: 40 }),
      (sentences) => {
        let text = sentences.join(' ').replace(/\s+/g, ' ').trim();
        if (!text) return;
        while (text.length <= MAX_PARAGRAPH_CHARS) text = `${text} ${text}`;
        const pieces = cutLongParagraph(text);
        expect(pieces.join(' ')).toBe(text);
        for (const piece of pieces) expect(piece).toBe(piece.trim());
        // Each piece is within the cap, or one sentence (an open quotation runs on) that cannot be cut.
        for (const piece of pieces)
          if (piece.length > MAX_PARAGRAPH_CHARS) expect(sentenceSpans(piece)).toHaveLength(1);
      },
      5,
    );
  });
});

describe('what the properties found, kept as examples', () => {
  it('text with no element, and a fragment whose root is not <html>, read as HTML without a throw', () => {
    expect(ingest(Uint8Array.from([1]), 'html')).toMatchObject({ ok: false, problem: { code: 'no-body' } });
    const fragment = ingest(
      '<article><div><div>The harbour reopened on Sunday morning.</div></div></article>',
      'html',
    );
    expect(fragment.ok && fragment.article.paragraphs).toEqual(['The harbour reopened on Sunday morning.']);
  });

  it('the noncharacters U+FFFE and U+FFFF, which X refuses, are dropped like other invisible junk', () => {
    const outcome = ingest('Harbour\n\nThe quay\uFFFE reopened\uFFFF on Sunday.', 'text');
    expect(outcome.ok && outcome.article.paragraphs).toEqual(['The quay reopened on Sunday.']);
  });

  it('a page’s metadata too long for the platform costs the field, with a warning, not the split', () => {
    const body = ['After eleven years behind fences, the old harbour opened to the public on Sunday.'];
    const cases: [Partial<Article>, Platform, PostingMode, RegExp][] = [
      [{ title: 'Harbour '.repeat(60) }, 'twitter', 'thread', /headline is too long/],
      [{ title: '港'.repeat(200) }, 'twitter', 'thread', /headline is too long/],
      [{ title: 'T', byline: 'B'.repeat(300) }, 'twitter', 'quotes', /author’s name is too long/],
      [
        { title: 'T', url: `https://courier.example/${'a'.repeat(5000)}` },
        'telegram',
        'thread',
        /link is too long/,
      ],
    ];
    for (const [meta, platform, mode, warning] of cases) {
      const article: Article = { title: '', ...meta, paragraphs: body };
      const result = splitArticle(article, defaultSplitSettings(platform, mode), rulesFor(platform));
      expect(result.posts.length).toBeGreaterThan(0);
      expect(result.warnings.join(' ')).toMatch(warning);
    }
    // A target too small for the template stays the channel's error, as before.
    expect(() =>
      splitArticle(
        { title: 'T', byline: 'Ana Lima', url: 'https://courier.example/a', paragraphs: body },
        { ...defaultSplitSettings('twitter', 'quotes'), targetLength: 25 },
        rulesFor('twitter'),
      ),
    ).toThrow(/raise the length target/);
  });

  it('a page’s title, author or link longer than any real one is ignored at ingestion', () => {
    const page = `<html><head><title>${'Harbour '.repeat(50)}</title><meta name="author" content="${'Ana '.repeat(40)}"></head><body><p>The harbour reopened on Sunday morning, and thousands came.</p></body></html>`;
    const outcome = ingest(page, 'html');
    expect(outcome.ok && outcome.article.title).toBe('');
    expect(outcome.ok && outcome.article.byline).toBeUndefined();
  });
});
