import { describe, expect, it } from 'vitest';
import { textAsPosted } from '../../src/adapters/twitter/create-twitter-publisher.js';
import { samePostText } from '../../src/domain/same-post-text.js';
import { asXShowsIt } from '../fakes/fake-x-api.js';

describe('samePostText', () => {
  it('matches a post whose link the platform rewrote or normalised', () => {
    expect(samePostText('Read it: https://example.org/a?b=1', 'Read it: https://t.co/AbC123')).toBe(true);
    expect(samePostText('Read it https://example.org/a', 'Read it  https://example.org/a/ ')).toBe(true);
  });

  it('does not match different words, or a link where there was none', () => {
    expect(samePostText('The harbour reopened.', 'The harbour closed.')).toBe(false);
    expect(samePostText('See the harbour.', 'See https://t.co/x the harbour.')).toBe(false);
  });
});

describe('textAsPosted (X timeline text back to what we sent)', () => {
  it('undoes t.co links and HTML escapes', () => {
    const sent = 'Fish & chips <here> — https://example.org/news/1 and https://example.org/news/2.';
    const { text, urls } = asXShowsIt(sent, '1234567');
    expect(text).not.toBe(sent);
    expect(text).toContain('&amp;');
    expect(textAsPosted({ text, entities: { urls } } as Parameters<typeof textAsPosted>[0])).toBe(sent);
  });

  it('matches a post whose neutralised mention X showed without its word joiner', () => {
    expect(
      samePostText('“Boats run again,” said @\u2060harbourunion.', '“Boats run again,” said @harbourunion.'),
    ).toBe(true);
    expect(samePostText('said @\u2060harbourunion.', 'said @harbour.')).toBe(false);
  });
});
