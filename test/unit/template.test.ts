import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES } from '../../src/config/config-schema.js';
import { checkTemplate, renderTemplate, TEMPLATE_PLACEHOLDERS } from '../../src/domain/template.js';

const QUOTE = '“{text}”[ — {author}][, {publication}][ {url}]';

describe('renderTemplate', () => {
  it('fills every placeholder', () => {
    expect(
      renderTemplate('{title}: {text} — {author}, {publication} {url} {hashtags} {n}/{total}', {
        title: 'T',
        text: 'Body.',
        author: 'Ana Lima',
        publication: 'Courier',
        url: 'https://c.example/a',
        hashtags: '#a #b',
        n: 2,
        total: 12,
      }),
    ).toBe('T: Body. — Ana Lima, Courier https://c.example/a #a #b 2/12');
  });

  it('drops an optional group whole when a value inside it is missing or empty', () => {
    expect(renderTemplate(QUOTE, { text: 'Hi.', author: 'Ana Lima', publication: 'Courier' })).toBe(
      '“Hi.” — Ana Lima, Courier',
    );
    expect(renderTemplate(QUOTE, { text: 'Hi.', publication: 'Courier', url: 'https://c.example/a' })).toBe(
      '“Hi.”, Courier https://c.example/a',
    );
    expect(renderTemplate(QUOTE, { text: 'Hi.', author: '' })).toBe('“Hi.”');
  });

  it('renders a missing value outside a group as nothing, keeping the rest of the post', () => {
    expect(renderTemplate('{text} — {author}', { text: 'Hi.' })).toBe('Hi. — ');
    expect(renderTemplate('{text} {n}/{total}', { text: '', n: 9, total: 9 })).toBe(' 9/9');
    expect(renderTemplate(QUOTE, { text: '', author: 'A B' })).toBe('“” — A B');
  });

  it('writes \\[ and \\] as literal brackets', () => {
    expect(renderTemplate('\\[{n}/{total}\\] {text}', { text: 'Hi.', n: 1, total: 3 })).toBe('[1/3] Hi.');
  });

  it('keeps newlines of the template', () => {
    expect(renderTemplate('{text}\n\n{n}/{total}[\n{url}]', { text: 'Body.', n: 3, total: 3 })).toBe(
      'Body.\n\n3/3',
    );
  });
});

describe('alternatives inside a group', () => {
  const credit = '“{text}”[ — {speaker}, {publication}| — {speaker}| via {publication}]';
  it('uses the first alternative whose values are all present', () => {
    expect(renderTemplate(credit, { text: 'Hi.', speaker: 'Ana Lima', publication: 'Courier' })).toBe(
      '“Hi.” — Ana Lima, Courier',
    );
    expect(renderTemplate(credit, { text: 'Hi.', speaker: 'Ana Lima' })).toBe('“Hi.” — Ana Lima');
    expect(renderTemplate(credit, { text: 'Hi.', publication: 'Courier' })).toBe('“Hi.” via Courier');
    expect(renderTemplate(credit, { text: 'Hi.' })).toBe('“Hi.”');
  });
  it('writes \\| as a literal bar, and a bar outside a group is literal', () => {
    expect(renderTemplate('{text} | [{n}\\|{total}]', { text: 'Hi.', n: 1, total: 2 })).toBe('Hi. | 1|2');
  });
});

describe('the default templates', () => {
  const full = {
    text: 'We will rebuild the pier.',
    speaker: 'Diane Okafor',
    author: 'Priya Raman',
    publication: 'The Coastal Courier',
    title: 'Council approves the harbour budget',
    url: 'https://courier.example/budget',
    hashtags: '#harbour',
    n: 2,
    total: 5,
  };
  // Every value but the text missing in turn: no dangling separator, no doubled space or blank line.
  const missing = TEMPLATE_PLACEHOLDERS.filter((p) => p !== 'text');
  it.each(
    Object.entries(DEFAULT_TEMPLATES).flatMap(([name, t]) => missing.map((m) => [name, m, t] as const)),
  )('%s without {%s} reads well', (_name, without, template) => {
    const text = renderTemplate(template, { ...full, [without]: undefined }).trim();
    expect(text).toContain(full.text);
    expect(text).not.toMatch(/ {2}|\n{3}|[—,:] *$|— *\n|, *\n|^[\s—,]|\( *\)|”,/);
    expect(text).not.toContain('undefined');
    if (without !== 'n' && without !== 'total')
      expect(text).not.toMatch(/(^|\s)\/(\s|$)|\d\/(\s|$)|(^|\s)\/\d/);
    // The quote template credits a speaker only when there is one.
    if (template === DEFAULT_TEMPLATES.quote && without === 'speaker') expect(text).not.toContain('—');
  });
  it('open threads with the headline and close them with the link', () => {
    expect(renderTemplate(DEFAULT_TEMPLATES.first, full).startsWith(`${full.title}\n\n`)).toBe(true);
    expect(renderTemplate(DEFAULT_TEMPLATES.last, full)).toContain(full.url);
    expect(renderTemplate(DEFAULT_TEMPLATES.only, full)).toMatch(
      new RegExp(`^${full.title}[\\s\\S]*${full.url}`),
    );
  });
});

describe('checkTemplate', () => {
  it('accepts the default templates', () => {
    expect(checkTemplate(QUOTE)).toEqual([]);
    expect(checkTemplate('{text} {n}/{total}[ {url}][ {hashtags}]')).toEqual([]);
  });

  it('reports an unknown placeholder with the list of known ones', () => {
    const [problem] = checkTemplate('{text} by {writer}');
    expect(problem).toContain('{writer}');
    expect(problem).toContain('{author}');
  });

  it('requires {text}, outside any optional group', () => {
    expect(checkTemplate('— {author}')).toEqual(['the template must contain {text}']);
    expect(checkTemplate('[{text}] — {author}')).toEqual(['{text} must not be inside an optional [ ] group']);
  });

  it.each([
    ['[{text} [{author}]]', /nested/],
    ['{text}]', /closes no \[/],
    ['{text} [— {author}', /never closed by \]/],
    ['{text} {author', /never closed by }/],
  ])('reports the syntax error in %s', (template, message) => {
    const problems = checkTemplate(template);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('reports every problem at once', () => {
    expect(checkTemplate('{writer} {place}')).toHaveLength(3);
  });
});
