import { describe, expect, it } from 'vitest';
import { type ExcerptFacts, SCORE_BASE, scoreExcerpt } from '../../src/domain/score-excerpt.js';

const BUDGET = 240;
const facts = (text: string, overrides: Partial<ExcerptFacts> = {}): ExcerptFacts => ({
  text,
  length: text.length,
  budget: BUDGET,
  sentences: 1,
  fragment: false,
  ...overrides,
});
const score = (text: string, overrides: Partial<ExcerptFacts> = {}) =>
  scoreExcerpt(facts(text, overrides)).score;
const reasons = (text: string, overrides: Partial<ExcerptFacts> = {}) =>
  scoreExcerpt(facts(text, overrides)).reasons.join('\n');

const PLAIN =
  'The harbour tram line reopened after a rebuild that took two years, and crowds lined the quay from dawn to watch the first car leave.';

describe('scoreExcerpt', () => {
  it('the score is the base plus the points of the reasons it gives', () => {
    for (const text of [
      PLAIN,
      '“We lost half our trade. Half!” said Marta Quintas, who sells maps near the terminus.',
      'However, they came back:',
      'Too short.',
    ]) {
      const result = scoreExcerpt(facts(text));
      const sum = result.reasons.reduce((acc, r) => acc + Number(/^[+-]?\d+/.exec(r)?.[0]), 0);
      expect(result.score).toBe(SCORE_BASE + sum);
    }
  });

  it('a direct quotation with its speaker outranks one without, which outranks plain prose', () => {
    const withSpeaker =
      '“We promised a line that works in every weather,” said Helen Okafor, who chairs the board.';
    const withoutSpeaker =
      'The board promised “a line that works in every weather” and a faster ride for everyone.';
    const plain = 'The board promised a line that works in every weather and a faster ride for everyone.';
    const named = { quotation: 'with-attribution', speaker: 'Helen Okafor' } as const;
    expect(reasons(withSpeaker, named)).toContain('a direct quotation of Helen Okafor');
    expect(score(withSpeaker, named)).toBeGreaterThan(score(withoutSpeaker));
    expect(score(withoutSpeaker)).toBeGreaterThan(score(plain));
  });

  it('"he said" earns nothing without a name, and costs points', () => {
    const pronoun = '“We promised a line that works in every weather,” he said at the depot on Friday.';
    expect(reasons(pronoun, { quotation: 'with-attribution' })).toContain(
      'attributed to a pronoun with no name',
    );
    expect(reasons(pronoun, { quotation: 'with-attribution' })).not.toContain('a direct quotation of');
    expect(score(pronoun, { quotation: 'with-attribution' })).toBeLessThan(
      score(pronoun, { quotation: 'with-attribution', speaker: 'Helen Okafor' }),
    );
  });

  it("a pronoun inside the quoted words is the speaker's own voice, not a dangling reference", () => {
    const words = 'They told us the harbour would never reopen, and we proved them wrong in two years.';
    expect(reasons(words, { quotation: 'quoted-words', speaker: 'Helen Okafor' })).not.toMatch(
      /pronoun|leans/,
    );
    expect(reasons(words)).toMatch(/pronoun|leans/);
  });

  it('ranks logistics, captions and ledes crowded with names low', () => {
    const logistics =
      'The briefing will air live at 11 a.m. on the agency’s website and its social channels.';
    const caption = 'Crew members Ana Ruiz and Tom Baines are seen inside the capsule during a training run.';
    const crowd =
      'Mayor Tom Baines, Port Director Ana Ruiz, Councilman Rick Hale and Treasurer Lu Chen met Harbour Master Ben Ode.';
    expect(reasons(logistics)).toContain('logistics');
    expect(reasons(caption)).toContain('photo caption');
    expect(reasons(crowd)).toContain('crowded with names');
    for (const text of [logistics, caption, crowd]) expect(score(text)).toBeLessThan(score(PLAIN) - 20);
  });

  it('penalises an opening that leans on what came before', () => {
    const leaning = `However, ${PLAIN[0]!.toLowerCase()}${PLAIN.slice(1)}`;
    expect(reasons(leaning)).toContain('opens with "however"');
    expect(score(leaning)).toBeLessThan(score(PLAIN));
  });

  it('penalises a pronoun with no name in the opening clause', () => {
    const dangling = 'After his election he rejected the practice of collective guilt for the riots.';
    const named = 'After his election President Tokayev rejected the practice of collective guilt.';
    expect(reasons(dangling)).toContain('pronoun');
    expect(reasons(named)).not.toContain('pronoun');
  });

  it('penalises a fragment of an overlong sentence and does not call it complete', () => {
    expect(score(PLAIN, { fragment: true })).toBeLessThan(score(PLAIN));
    expect(reasons(PLAIN, { fragment: true })).not.toContain('complete sentence');
  });

  it('penalises a colon at the end and a text entirely in parentheses', () => {
    const colon = 'Here is the gist of the changes approved by the majority of voters in the referendum:';
    expect(reasons(colon)).toContain('ends with a colon');
    expect(reasons('(But also no vengeance for the former president and his family.)')).toContain(
      'entirely in parentheses',
    );
  });

  it('prefers a comfortable length to one too short to stand alone', () => {
    expect(reasons('Not everyone is pleased.')).toContain('too short');
    expect(reasons(PLAIN)).toContain('comfortable length');
    expect(score(PLAIN)).toBeGreaterThan(score('Not everyone is pleased.'));
  });

  it('rewards a concrete figure, discourages a lone question and joining many sentences', () => {
    const withFigure = PLAIN.replace('two years', '24 months');
    expect(reasons(withFigure)).toContain('has a concrete figure');
    expect(score(withFigure)).toBeGreaterThan(score(PLAIN.replace('two years', 'many months')));
    expect(reasons('Would these troops, which included mostly foreign officers, stay for long?')).toContain(
      'a lone question',
    );
    expect(score(PLAIN, { sentences: 3 })).toBeLessThan(score(PLAIN, { sentences: 1 }));
  });

  it('is deterministic', () => {
    expect(scoreExcerpt(facts(PLAIN))).toEqual(scoreExcerpt(facts(PLAIN)));
  });
});
