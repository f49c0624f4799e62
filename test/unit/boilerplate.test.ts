import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import {
  bylineName,
  classifyBoilerplate,
  compileBoilerplateRules,
  DEFAULT_BOILERPLATE_RULES,
  removeBoilerplate,
} from '../../src/domain/boilerplate.js';
import { ingestWithSettings } from '../../src/use-cases/prepare-article.js';

const rules = compileBoilerplateRules(DEFAULT_BOILERPLATE_RULES);
const BODY = [
  'The council met on Tuesday to discuss the harbour budget for next year.',
  'Members argued for three hours before a vote was taken.',
  'The budget passed by seven votes to four.',
  'A second meeting is planned for the spring.',
];

/** Classifies a paragraph as if it stood at `index` in an article of `count` paragraphs. */
const kindOf = (paragraph: string, index = 0, count = 10) =>
  classifyBoilerplate(paragraph, index, count, rules);

describe('default byline rules', () => {
  it.each([
    'By Jane Doe',
    'by Jane Doe',
    'BY JANE DOE | Staff writer',
    'By Jane Doe and John Roe',
    'By Anne-Marie O’Neill, Coastal Courier',
    'Dmitry Babich',
    'Mary J. Blige',
    'Tomás Reyes Ortega',
  ])('%s is a byline wherever it stands', (line) => {
    expect(kindOf(line, 0)).toBe('byline');
    expect(kindOf(line, 5)).toBe('byline');
  });

  it.each([
    // Under the `i` flag JavaScript lets \p{Lu} match any letter; these are not names.
    'lower taxes for small firms',
    'more buses at night',
    'Limitation of presidential terms',
    'Music and food',
    // sentence punctuation: a sentence, not a name
    'Dmitry Babich said so.',
    // a long paragraph that happens to open with "By"
    'By the end of the week the council had approved the plan, the budget and the new timetable for the trams.',
    'By then, everyone had left.',
  ])('%s is not a byline', (line) => {
    expect(kindOf(line, 0)).toBeUndefined();
  });
});

describe('bios and promos', () => {
  it('removes an author bio only among the last paragraphs', () => {
    const bio = 'The author is Jane Doe, a Lisbon-based journalist with 20 years of experience.';
    expect(kindOf(bio, 9, 10)).toBe('bio');
    expect(kindOf(bio, 2, 10)).toBeUndefined();
    expect(kindOf('Jane Doe is a transport reporter at the Coastal Courier.', 9, 10)).toBe('bio');
  });

  it.each([
    'Sign up for our newsletter.',
    'Get our stories sent directly to you! Subscribe today.',
    'Follow us on Telegram and Instagram.',
    'Download our app for breaking news.',
    'Support our journalism with a donation.',
  ])('removes the promo "%s" at the end of an article', (promo) => {
    expect(kindOf(promo, 9, 10)).toBe('promo');
  });

  it('keeps a body paragraph that mentions subscriptions away from the end', () => {
    const body = 'Readers who subscribe to the paper received a printed map of the new tram line.';
    expect(kindOf(body, 1, 10)).toBeUndefined();
    expect(kindOf(body, 9, 10)).toBe('promo');
  });

  it('with tailParagraphs 0 no bio or promo is removed', () => {
    const none = compileBoilerplateRules({ ...DEFAULT_BOILERPLATE_RULES, tailParagraphs: 0 });
    expect(classifyBoilerplate('Sign up for our newsletter.', 9, 10, none)).toBeUndefined();
    expect(classifyBoilerplate('By Jane Doe', 9, 10, none)).toBe('byline');
  });
});

describe('removeBoilerplate', () => {
  it('returns the body in order and every removed paragraph with its kind and position', () => {
    const paragraphs = [
      'By Ana Lima',
      ...BODY,
      'Ana Lima is a reporter at the Coastal Courier.',
      'Sign up for our newsletter.',
    ];
    const { body, removed } = removeBoilerplate(paragraphs, rules);
    expect(body).toEqual(BODY);
    expect(removed).toEqual([
      { kind: 'byline', text: 'By Ana Lima', index: 0 },
      { kind: 'bio', text: 'Ana Lima is a reporter at the Coastal Courier.', index: 5 },
      { kind: 'promo', text: 'Sign up for our newsletter.', index: 6 },
    ]);
  });
});

describe('configurable patterns', () => {
  it('a custom promo pattern removes a house phrase the defaults keep', () => {
    const house = 'Tip line: the desk reads every message.';
    expect(removeBoilerplate([...BODY, house], rules).body).toContain(house);
    const custom = compileBoilerplateRules({
      ...DEFAULT_BOILERPLATE_RULES,
      promoPatterns: [...DEFAULT_BOILERPLATE_RULES.promoPatterns, '^tip line:'],
    });
    const { body, removed } = removeBoilerplate([...BODY, house], custom);
    expect(body).toEqual(BODY);
    expect(removed).toEqual([{ kind: 'promo', text: house, index: BODY.length }]);
  });

  it('patterns without letter-case classes are case-insensitive', () => {
    const custom = compileBoilerplateRules({ ...DEFAULT_BOILERPLATE_RULES, promoPatterns: ['house ad'] });
    expect(classifyBoilerplate('HOUSE AD: buy our calendar', 9, 10, custom)).toBe('promo');
  });

  it('an invalid pattern throws and names the pattern', () => {
    expect(() =>
      compileBoilerplateRules({ ...DEFAULT_BOILERPLATE_RULES, bylinePatterns: ['(unclosed'] }),
    ).toThrow(/\(unclosed/);
  });
});

describe('bylineName', () => {
  it.each([
    ['By Jane Doe', 'Jane Doe'],
    ['BY JANE DOE | Staff writer', 'JANE DOE'],
    ['By Jane Doe, Coastal Courier', 'Jane Doe'],
    ['Dmitry Babich', 'Dmitry Babich'],
  ])('%s -> %s', (line, name) => {
    expect(bylineName(line)).toBe(name);
  });
});

describe('patterns from the settings file', () => {
  it('a house phrase configured under boilerplate.promoPatterns is dropped from the article', () => {
    const article =
      'Harbour News\n\nThe ferry timetable changes next week.\n\nTip line: the desk reads every message.\n';
    const ingest = (boilerplate: Record<string, unknown>) => {
      const outcome = loadConfig({
        settings: { boilerplate, channels: [{ id: 'x', platform: 'twitter' }] },
        env: {},
      });
      if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
      const result = ingestWithSettings(
        { bytes: Buffer.from(article), source: 'a.txt' },
        outcome.config.settings,
      );
      if (!result.ok) throw new Error(result.problem.message);
      return result.article.paragraphs;
    };
    expect(ingest({})).toContain('Tip line: the desk reads every message.');
    expect(ingest({ promoPatterns: ['^tip line:'] })).toEqual(['The ferry timetable changes next week.']);
  });

  it('an invalid pattern in the settings is reported with its key, not thrown', () => {
    const outcome = loadConfig({
      settings: { boilerplate: { bylinePatterns: ['(by'] }, channels: [{ id: 'x', platform: 'twitter' }] },
      env: {},
    });
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? [] : outcome.problems).toEqual([
      expect.stringMatching(/boilerplate\.bylinePatterns\[0\]: not a valid regular expression/),
    ]);
  });
});
