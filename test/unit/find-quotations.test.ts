import { describe, expect, it } from 'vitest';
import { findPeople } from '../../src/domain/find-people.js';
import { findQuotations } from '../../src/domain/find-quotations.js';

/** Each quotation as "speaker: quoted words" (spans joined with " | "), "?" for an unknown speaker. */
function read(paragraphs: string[]): string[] {
  return findQuotations(paragraphs).map(
    (q) =>
      `${q.partial ? '(partial) ' : ''}${q.speaker ?? '?'}: ${q.spans.map((s) => paragraphs[s.paragraph]!.slice(s.start, s.end)).join(' | ')}`,
  );
}

describe('findQuotations: the forms news copy uses', () => {
  it.each([
    ['“We will rebuild the pier,” said Diane Okafor.', 'Diane Okafor: We will rebuild the pier,'],
    ['“We will rebuild the pier,” Diane Okafor said.', 'Diane Okafor: We will rebuild the pier,'],
    ['“We will rebuild the pier,” Diane Okafor told reporters.', 'Diane Okafor: We will rebuild the pier,'],
    ['"We will rebuild the pier," said Diane Okafor.', 'Diane Okafor: We will rebuild the pier,'],
    ['Diane Okafor said: “We will rebuild the pier.”', 'Diane Okafor: We will rebuild the pier.'],
    [
      'Diane Okafor told the council on Monday, “We will rebuild the pier.”',
      'Diane Okafor: We will rebuild the pier.',
    ],
    [
      'According to Diane Okafor, “the pier will be rebuilt this year.”',
      '(partial) Diane Okafor: the pier will be rebuilt this year.',
    ],
    [
      'According to Diane Okafor, “The pier will be rebuilt this year.”',
      'Diane Okafor: The pier will be rebuilt this year.',
    ],
    [
      '“The pier will be rebuilt this year,” according to Diane Okafor.',
      'Diane Okafor: The pier will be rebuilt this year,',
    ],
    [
      '“We only stopped the sea,” said the project’s chief engineer, Dr. Ilse Varga, by the lighthouse.',
      'Dr. Ilse Varga: We only stopped the sea,',
    ],
  ])('%s', (text, expected) => {
    expect(read([text])).toEqual([expected]);
  });

  it('keeps titles written in capitals and drops lower-case job descriptions', () => {
    expect(read(['“The crew is in good spirits,” said NASA Administrator Bill Nelson.'])).toEqual([
      'NASA Administrator Bill Nelson: The crew is in good spirits,',
    ]);
    expect(read(['“We will rebuild the pier,” said council president Diane Okafor.'])).toEqual([
      'Diane Okafor: We will rebuild the pier,',
    ]);
    expect(
      read(['“We will rebuild the pier,” said Sergei Markov, the head of the Harbour Institute.']),
    ).toEqual(['Sergei Markov: We will rebuild the pier,']);
  });

  it('joins a quotation interrupted by its attribution', () => {
    expect(read(['“We will rebuild,” said Diane Okafor, “and we will do it this year.”'])).toEqual([
      'Diane Okafor: We will rebuild, | and we will do it this year.',
    ]);
  });

  it('follows a quotation over paragraphs (the first ends open, the next opens again)', () => {
    const paragraphs = [
      'Okafor spoke first. “The pier has stood for a century and it will stand for another.',
      '“Nobody in this room will let it fall,” said council president Diane Okafor.',
    ];
    expect(read(paragraphs)).toEqual([
      'Diane Okafor: The pier has stood for a century and it will stand for another. | Nobody in this room will let it fall,',
    ]);
  });

  it('an unattributed quotation continues the speaker just before it', () => {
    expect(
      read([
        '“We will rebuild the pier,” said Diane Okafor. “It will take a year.”',
        '“Nobody expected the vote to be this close.”',
      ]),
    ).toEqual([
      'Diane Okafor: We will rebuild the pier,',
      'Diane Okafor: It will take a year.',
      'Diane Okafor: Nobody expected the vote to be this close.',
    ]);
  });

  it('completes a surname from an earlier mention, and a title from the one person who holds it', () => {
    expect(
      read([
        'Port Authority Director Ana Ruiz opened the session.',
        'Ruiz told reporters: “The harbour cannot wait another winter.”',
        'President Kassym Tokar signed the bill. “This is a good day for the port,” the President said.',
      ]),
    ).toEqual([
      'Port Authority Director Ana Ruiz: The harbour cannot wait another winter.',
      'President Kassym Tokar: This is a good day for the port,',
    ]);
  });

  it('leaves the speaker unknown rather than guess', () => {
    // Two people share the surname.
    expect(
      read(['Ana Ruiz and Carlos Ruiz spoke.', '“The harbour cannot wait another winter,” Ruiz said.']),
    ).toEqual(['?: The harbour cannot wait another winter,']);
    // "he said" after two men were named.
    expect(
      read(['Mayor Tom Baines and councilman Rick Hale disagreed. “It is a mistake to rush this,” he said.']),
    ).toEqual(['?: It is a mistake to rush this,']);
    // No attribution at all.
    expect(read(['In January the question was: “Will he stand up to the mob?”'])).toEqual([
      '?: Will he stand up to the mob?',
    ]);
  });

  it('resolves "she said" to the only person named just before', () => {
    expect(
      read([
        'Harbour master Lena Ode walked the pier on Friday.',
        '“The piles are rotten to the core,” she said.',
      ]),
    ).toEqual(['Lena Ode: The piles are rotten to the core,']);
  });

  it('partial quotations are someone’s words inside a sentence; one quoted word is emphasis', () => {
    expect(
      read([
        'The council called the plan “very useful.” Critics spoke of “concessions” and “a new form of republic” in the port.',
        'Governor Elliot Crane said Monday that he would not intervene “while the two sides are still talking,” but added that his patience was “not unlimited.”',
        'In a statement, the Kestrel Bay Dockworkers Union said the offer “does not keep up with the rent.”',
      ]),
    ).toEqual([
      '(partial) ?: very useful.',
      '(partial) ?: a new form of republic',
      '(partial) Governor Elliot Crane: while the two sides are still talking,',
      '(partial) Governor Elliot Crane: not unlimited.',
      '(partial) Kestrel Bay Dockworkers Union: does not keep up with the rent.',
    ]);
  });

  it('resolves "he said" to the subject of the speech verb before it', () => {
    expect(
      read([
        'Walter Haines, who has run Haines Bakery on Front Street since 1987, said the grants fall short. “I had four ovens, and all four were under water,” he said.',
      ]),
    ).toEqual(['Walter Haines: I had four ovens, and all four were under water,']);
  });

  it('gives the ranges of the marked quotation and of its attribution', () => {
    const text = 'It rained. “We will rebuild the pier,” said Diane Okafor. Then the vote came.';
    const [q] = findQuotations([text]);
    expect(text.slice(q!.marked[0]!.start, q!.marked[0]!.end)).toBe('“We will rebuild the pier,”');
    expect(text.slice(q!.attribution!.start, q!.attribution!.end)).toBe('said Diane Okafor.');
    expect(q!.marks).toEqual(['“', '”']);
  });
});

describe('findPeople', () => {
  it('finds names with their titles and skips organisations, places and sentence openers', () => {
    const people = findPeople(
      'Could President Kassym Tokar meet Foreign Minister Mukhtar Tileu? Human Rights Watch and the United Nations said no. NASA Administrator Bill Nelson agreed.',
    ).map((p) => p.display);
    expect(people).toEqual([
      'President Kassym Tokar',
      'Foreign Minister Mukhtar Tileu',
      'NASA Administrator Bill Nelson',
    ]);
  });
});
