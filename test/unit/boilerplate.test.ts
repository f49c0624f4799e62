import { describe, expect, it } from 'vitest';
import { ingestWithSettings } from '../../src/adapters/document/ingest-with-settings.js';
import { loadConfig } from '../../src/config/load-config.js';
import {
  type BoilerplateRules,
  bylineName,
  classifyBoilerplate,
  compileBoilerplateRules,
  DEFAULT_BOILERPLATE_RULES,
  removeBoilerplate,
} from '../../src/domain/boilerplate.js';

const rules = compileBoilerplateRules(DEFAULT_BOILERPLATE_RULES);
const withRules = (overrides: Partial<BoilerplateRules>) =>
  compileBoilerplateRules({ ...DEFAULT_BOILERPLATE_RULES, ...overrides });
const BODY = [
  'The council met on Tuesday to discuss the harbour budget for next year.',
  'Members argued for three hours before a vote was taken.',
  'The budget passed by seven votes to four.',
  'A second meeting is planned for the spring.',
];

/** Classifies a paragraph as if it stood at `index` in an article of `count` paragraphs. */
const classify = (paragraph: string, index = 0, count = 10) =>
  classifyBoilerplate(paragraph, index, count, rules);
const kindOf = (paragraph: string, index = 0, count = 10) => classify(paragraph, index, count)?.kind;
/** The kind in the middle of a long article and at its very end. */
const kindsOf = (paragraph: string) => [kindOf(paragraph, 5, 20), kindOf(paragraph, 19, 20)];

describe('default byline rules', () => {
  it.each([
    'By Jane Doe',
    'by Jane Doe',
    'BY JANE DOE | Staff writer',
    'By Jane Doe and John Roe',
    'By Anne-Marie O’Neill, Coastal Courier',
    'Written by Jane Doe',
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

describe('photo captions and credits, found anywhere', () => {
  it.each([
    [
      'Astronauts are seen inside the capsule during a fit check at the launch site. Photo Credit: (NASA/Joel Kowsky)',
      'NASA/Joel Kowsky',
    ],
    ['The mayor speaks at the opening of the library on Monday. (AP Photo/Jane Doe)', 'AP Photo/Jane Doe'],
    ['Photo: Reuters', 'Reuters'],
    ['Photo credit: Sam Reed', 'Sam Reed'],
    ['Credit: Jane Doe/The Gazette', 'Jane Doe/The Gazette'],
    ['Image courtesy of NASA', 'NASA'],
    ['Photo by Sam Reed', 'Sam Reed'],
    ['The crew walks out to the launch pad before dawn. NASA/Joel Kowsky', 'NASA/Joel Kowsky'],
    ['Crowds on the quay at dawn. Photo: Ana Lima', 'Ana Lima'],
    ['Flood water covers the road near the bridge. AFP via Getty Images', 'AFP via Getty Images'],
    ['Readers queue at the door. (Photo by Ana Lima).', 'Photo by Ana Lima'],
  ])('%s', (caption, credit) => {
    for (const index of [0, 5, 9]) {
      expect(classify(caption, index)).toEqual({
        kind: 'caption',
        reason: `photo caption or credit (${credit})`,
      });
    }
  });

  it.each([
    'The photo, taken in 1969, shows the crew walking to the pad.',
    'Photographers waited outside the court for hours before the verdict.',
    'The image of the city as a safe haven has suffered.',
    'Credit card fees will rise in June, the bank said.',
    'The route between Tokyo/Osaka is the busiest in the country.',
    'Getty Images bought the archive in 2019.',
    'Readers sent in photos (see page 4) of the flood.',
  ])('a body sentence that mentions photos or credit stays: %s', (sentence) => {
    expect(kindsOf(sentence)).toEqual([undefined, undefined]);
  });
});

describe('media contacts', () => {
  it.each([
    ['Media contact:', 'Media contact:'],
    ['Press contact', 'Press contact'],
    ['Media Contacts', 'Media Contacts'],
    ['Media inquiries: press@harbour.example.gov', 'press@harbour.example.gov'],
    ['For more information, contact Jane Smith at the press office.', 'For more information, contact'],
    ['For more information about the tour, call 555-0100.', '555-0100'],
    ['Jane Smith, 202-555-0100, jane.smith@agency.example.gov', '202-555-0100'],
    ['202-358-1600', '202-358-1600'],
    ['jane.smith@agency.example.gov', 'jane.smith@agency.example.gov'],
    ['Tel: +1 (202) 358-1600 | Email: press@agency.example.gov', '+1 (202) 358-1600'],
  ])('%s', (line, shown) => {
    expect(classify(line, 5, 20)).toEqual({ kind: 'contact', reason: `media contact (${shown})` });
  });

  it.each([
    'Readers can contact the council through its website or by calling the helpline.',
    'Contact with the virus is rare, the health ministry said.',
    'Contacts between the two sides resumed in May after a long pause.',
    'The press office said on Monday that the minister would not comment.',
    'For more information on the plan, residents should read the council’s leaflet.',
    'Call 911 if you see smoke.',
    'The number of trips rose from 12,000 in 2022 to 18,000 in 2023.',
    // a long paragraph that carries an e-mail address is body
    'The timetable is online at https://transit.example.org/timetable and questions go to info@transit.example.org, the operator said on Monday, adding that paper copies are available at every kiosk on the line.',
  ])('a body sentence that mentions contact, a number or an e-mail stays: %s', (sentence) => {
    expect(kindsOf(sentence)).toEqual([undefined, undefined]);
  });

  it('a contact block takes the name and job title around its phone and e-mail lines', () => {
    const { body, removed, byline } = removeBoilerplate(
      [...BODY, 'Jane Smith', 'Communications Officer, Port of Harbour', 'jane.smith@port.example.gov'],
      rules,
    );
    expect(body).toEqual(BODY);
    expect(removed.map((r) => [r.kind, r.text])).toEqual([
      ['contact', 'Jane Smith'],
      ['contact', 'Communications Officer, Port of Harbour'],
      ['contact', 'jane.smith@port.example.gov'],
    ]);
    expect(removed[0]!.reason).toBe('media contact block (with "jane.smith@port.example.gov")');
    expect(byline).toBeUndefined();
  });

  it('a contact heading takes the short lines under it, and stops at the next sentence', () => {
    const { body, removed } = removeBoilerplate(
      [...BODY, 'Media contact', 'Jane Smith', 'Press Office', 'The council meets again in May.'],
      rules,
    );
    expect(body).toEqual([...BODY, 'The council meets again in May.']);
    expect(removed.map((r) => r.kind)).toEqual(['contact', 'contact', 'contact']);
  });

  it('a press officer’s name in a closing contact block never becomes the author', () => {
    const short = ['The port reopened on Monday.', 'Jane Smith', '555-201-0100'];
    expect(removeBoilerplate(short, rules).byline).toBeUndefined();
    expect(removeBoilerplate(short, rules).body).toEqual(['The port reopened on Monday.']);
  });

  it('a phone line of many number groups is classified without backtracking forever', () => {
    // With a naive pattern, each run of digit groups splits into numbers in exponentially many ways.
    const line = `Jane, ${'202 555 '.repeat(30)}?`;
    expect(kindOf(line, 5, 20)).toBeUndefined();
  });
});

describe('end markers', () => {
  it.each(['-end-', '###', '-30-', '- END -', '— END —', '--30--', '# # #'])(
    '%s drops itself and everything after it, each with the reason',
    (marker) => {
      const after = [
        'Jane Smith',
        'Headquarters, Washington',
        '202-358-1600',
        'A closing sentence about NASA.',
      ];
      const { body, removed } = removeBoilerplate([...BODY, marker, ...after], rules);
      expect(body).toEqual(BODY);
      expect(removed).toEqual([
        { kind: 'end-marker', reason: `end marker ${marker}`, text: marker, index: 4 },
        ...after.map((text, i) => ({
          kind: 'after-end',
          reason: `after end marker ${marker}`,
          text,
          index: 5 + i,
        })),
      ]);
    },
  );

  it('a marker in first place ends nothing (there is no body before it)', () => {
    const { body, removed } = removeBoilerplate(['###', ...BODY], rules);
    expect(body).toEqual(BODY);
    expect(removed).toEqual([{ kind: 'end-marker', reason: 'end marker ###', text: '###', index: 0 }]);
  });

  it.each([
    'The end of the line is near the university.',
    'END',
    '30',
    'Ends 30 June.',
    '#harbour #trams #city',
  ])('%s is no end marker', (line) => {
    expect(removeBoilerplate([...BODY, line, 'More body.'], rules).body).toEqual([
      ...BODY,
      line,
      'More body.',
    ]);
  });
});

describe('pointers away from the story ("Learn more", "Related", a bare URL)', () => {
  it.each([
    ['Learn more about NASA’s Artemis programme at:', 'Learn more'],
    ['Learn more about the Artemis programme at: https://www.nasa.gov/artemis', 'Learn more'],
    ['Read more: Council votes on parking fees', 'Read more'],
    ['Related: Ferry timetable changes', 'Related:'],
    ['Related coverage', 'Related coverage'],
    ['RELATED STORIES', 'RELATED STORIES'],
    ['Editor’s note: This story was updated to correct the mayor’s title.', 'Editor’s note:'],
    ['See also', 'See also'],
    ['Watch: The first tram leaves the depot', 'Watch:'],
    ['For more information, visit www.example.gov/tours.', 'For more information, visit'],
    [
      'https://www.example.gov/news/2024/03/release.html',
      'https://www.example.gov/news/2024/03/release.html',
    ],
    ['Website: https://library.example.gov', 'Website: https://library.example.gov'],
  ])('%s', (line, shown) => {
    expect(classify(line, 5, 20)).toEqual({ kind: 'related', reason: `related link or note (${shown})` });
  });

  it.each([
    'Learning more about the budget took the committee three months.',
    'Related costs rose by 4 percent, the report said.',
    'Watch out for delays on the northern line this weekend, the operator warned.',
    'See the full list of winners on page 12.',
    'Watch the video of the opening on our website, the mayor said.',
    'She said the report, available at https://example.org/report, was late.',
    'Editors at the paper disagreed about the headline.',
  ])('a body sentence stays: %s', (sentence) => {
    expect(kindsOf(sentence)).toEqual([undefined, undefined]);
  });
});

describe('language switches', () => {
  it.each([
    'Lee este artículo en español aquí.',
    'Read this article in Spanish',
    'Read this release in 中文',
    'Versión en español',
    'En français',
    'English version',
    'English | Español | 中文',
    'This article is also available in French.',
    'Lire en français',
  ])('%s', (line) => {
    expect(kindOf(line, 0)).toBe('language');
    expect(kindOf(line, 19, 20)).toBe('language');
  });

  it.each([
    'Este comunicado está disponible en español en harbour.example.org/es.',
    'Esta nota también está disponible en inglés.',
    'Disponible en español',
    'This story is also available in Spanish and Vietnamese at courier.example/translations.',
    'The release is available in Spanish here.',
    'This statement is available in Haitian Creole.',
    'Also available in Portuguese',
    'Read in Spanish',
    'View this release in 中文',
    'See this story in Vietnamese here.',
    'Read it in French here.',
    'Read the Spanish version of this story here.',
    'Para leer este artículo en español, haga clic aquí.',
    'Cet article est aussi disponible en anglais.',
    'Lire la version française',
    'Leia em português',
    'Esta notícia está disponível em inglês.',
    'Leggi in italiano',
    'Diesen Artikel auf Englisch lesen',
    '阅读中文版',
    '點擊閱讀英文版',
    '中文版',
    '日本語で読む',
    '한국어로 읽기',
    'Đọc bằng tiếng Việt',
    'Читать на русском',
  ])('the generalised rule: %s', (line) => {
    expect(kindOf(line, 0)).toBe('language');
    expect(kindOf(line, 19, 20)).toBe('language');
  });

  it('a language switch in the middle of the tail does not count as a body paragraph', () => {
    const { body, removed } = removeBoilerplate(
      [...BODY, 'Esta nota también está disponible en inglés.', 'Sign up for our newsletter.'],
      rules,
    );
    expect(body).toEqual(BODY);
    expect(removed.map((r) => r.reason)).toEqual([
      'language switch (Esta nota también está disponible en inglés)',
      'promo (Sign up)',
    ]);
  });

  it.each([
    'Menus will be posted weekly in English, Spanish and Vietnamese.',
    'The forms are available in Spanish and Vietnamese at every school office.',
    'The report is available in Spanish, but the appendix is not.',
    'Available in English and Spanish, the guide explains how to apply for the grants before the deadline.',
    'This statement is available in Spanish because most of the clinic’s patients speak it.',
    'Read in Spanish, the poem takes on a darker tone.',
    'Lee in English class was the quietest pupil.',
    'In English, the word means harbour.',
    'Disponible en español e inglés, el formulario se puede descargar del sitio del condado.',
    'Jane teaches Spanish at the harbour school.',
  ])('a body sentence that mentions a language stays: %s', (sentence) => {
    expect(kindsOf(sentence)).toEqual([undefined, undefined]);
  });

  it.each([
    'In English lessons, the pupils read the report aloud.',
    'The Spanish version of the report was published a week later.',
    'Read this article again and you will see why the council was angry.',
  ])('a body sentence stays: %s', (sentence) => {
    expect(kindsOf(sentence)).toEqual([undefined, undefined]);
  });
});

describe('date-only datelines', () => {
  it.each([
    'Aug. 26, 2023',
    'Monday, March 4, 2024',
    '2024-03-04',
    'WASHINGTON, March 4, 2024',
    'WASHINGTON, D.C., March 4, 2024',
    '4 March 2024',
    'March 4, 2024, 3:15 p.m. ET',
    'Updated: March 4, 2024',
    'FOR IMMEDIATE RELEASE',
  ])('%s', (line) => {
    expect(classify(line, 0)).toEqual({ kind: 'dateline', reason: `date-only dateline (${line})` });
  });

  it.each([
    'On March 4, 2024, the council voted to close the depot.',
    'March 4, 2024 was the wettest day of the year.',
    'WASHINGTON, March 4, 2024 — The council voted on Monday to close the depot.',
  ])('a body sentence with a date stays: %s', (sentence) => {
    expect(kindsOf(sentence)).toEqual([undefined, undefined]);
  });
});

describe('a dateline opening the first body paragraph', () => {
  /** The first body paragraph after a byline, then the body. */
  const lead = (paragraph: string) => removeBoilerplate(['By Ana Lima', paragraph, ...BODY], rules);

  it.each([
    ['PORT ELLIS, Norland — ', 'The state announced new harbour grants on Monday.', 'PORT ELLIS, Norland'],
    ['MILLBROOK — ', 'Three weeks after the flood, the council voted to rebuild.', 'MILLBROOK'],
    ['CALLOWAY COUNTY — ', 'Firefighters held the line overnight.', 'CALLOWAY COUNTY'],
    ['TARROW, Almer — ', 'The county will open three clinics on May 13.', 'TARROW, Almer'],
    ['WASHINGTON (AP) — ', 'The Senate voted 52-48 on Tuesday to pass the bill.', 'WASHINGTON (AP)'],
    [
      'LONDON, Aug. 26 (Reuters) - ',
      'Britain’s economy grew faster than expected.',
      'LONDON, Aug. 26 (Reuters)',
    ],
    [
      'NEW YORK, March 4, 2024 /PRNewswire/ -- ',
      'Acme Corp. today announced a new ferry service.',
      'NEW YORK, March 4, 2024 /PRNewswire/',
    ],
    ['NEW YORK--(BUSINESS WIRE)--', 'Acme Corp. today announced its results.', 'NEW YORK--(BUSINESS WIRE)'],
    ['Kestrel Bay, Jan. 7 — ', 'The port reopened after a week of storms.', 'Kestrel Bay, Jan. 7'],
    ['Kestrel Bay (Reuters) - ', 'The port reopened after a week of storms.', 'Kestrel Bay (Reuters)'],
    ['GENEVA, 4 March 2024 (AFP) – ', 'Talks resumed on Monday.', 'GENEVA, 4 March 2024 (AFP)'],
    ['ST. LOUIS — ', 'The city opened a new tram line.', 'ST. LOUIS'],
    ['WINSTON-SALEM, N.C. — ', 'The mill will close in June.', 'WINSTON-SALEM, N.C.'],
    ['WASHINGTON, D.C. — ', '“We are ready,” the mayor said.', 'WASHINGTON, D.C.'],
    ['SAN JOSE, Calif. — ', 'eBay said on Monday it would cut 500 jobs.', 'SAN JOSE, Calif.'],
    ['HARWICK—', 'The museum reopened on Saturday.', 'HARWICK'],
  ])('"%s" is cut off "%s" and reported as %s', (dateline, rest, shown) => {
    const { body, removed, byline } = lead(`${dateline}${rest}`);
    expect(body).toEqual([rest, ...BODY]);
    expect(byline).toBe('Ana Lima');
    expect(removed).toEqual([
      { kind: 'byline', reason: 'byline (Ana Lima)', text: 'By Ana Lima', index: 0 },
      { kind: 'dateline', reason: `dateline (${shown})`, text: dateline.trim(), index: 1 },
    ]);
  });

  it('keeps the rest of the paragraph character for character', () => {
    const rest = 'The council  voted 7–2 — after a “long” night — to borrow $30\u00a0million.';
    expect(lead(`MILLBROOK — ${rest}`).body[0]).toBe(rest);
  });

  it.each([
    // lower case after the dash: a sentence, not a dateline
    'WASHINGTON — not the city, the man — was on every mind at the rally.',
    // a single capital is no place
    'I — like many riders — have waited for this bus for years.',
    // a hyphen inside a word is no dash
    'COCA-COLA is raising prices in the harbour district.',
    // a place in ordinary case needs a date or a news agency
    'Kestrel Bay — The port reopened after a week of storms.',
    'Jane Doe (left) — The mayor handed her the medal.',
    // sentence openers with a date are not places
    'On Jan. 7 — a Tuesday — the council voted.',
    'Last Friday, March 4 — The council voted to close the depot.',
    'Monday, March 4 — The council voted to close the depot.',
    // a dash further into the sentence
    'The council in MILLBROOK — the smallest in the county — voted on Monday.',
    // an organisation in capitals with a possessive
    'NASA’s new rocket — The agency says — is ready.',
  ])('a lead that is not a dateline stays whole: %s', (paragraph) => {
    expect(lead(paragraph).body).toEqual([paragraph, ...BODY]);
  });

  it('is looked for in the first two body paragraphs only, after furniture, and once', () => {
    const dated = 'HARWICK — The museum reopened on Saturday.';
    // above it: a byline, a date-only line, a language switch; then a standfirst
    const second = removeBoilerplate(
      [
        'By Ana Lima',
        'May 18, 2024',
        'Read this article in Spanish',
        'A standfirst about the museum.',
        dated,
      ],
      rules,
    );
    expect(second.body).toEqual(['A standfirst about the museum.', 'The museum reopened on Saturday.']);
    expect(second.removed.map((r) => r.kind)).toEqual(['byline', 'dateline', 'language', 'dateline']);
    // the third body paragraph is body, whatever it starts with
    const third = removeBoilerplate([BODY[0]!, BODY[1]!, dated, BODY[2]!], rules);
    expect(third.body).toEqual([BODY[0], BODY[1], dated, BODY[2]]);
    // only the first dateline goes
    const twice = removeBoilerplate([dated, 'MILLBROOK — The council voted.'], rules);
    expect(twice.body).toEqual(['The museum reopened on Saturday.', 'MILLBROOK — The council voted.']);
  });

  it('a paragraph that is only a dateline is dropped whole and the next one is left alone', () => {
    const { body, removed } = removeBoilerplate(
      ['MILLBROOK —', 'KESTREL BAY — The port reopened.', ...BODY],
      rules,
    );
    expect(body).toEqual(['KESTREL BAY — The port reopened.', ...BODY]);
    expect(removed).toEqual([
      { kind: 'dateline', reason: 'dateline (MILLBROOK)', text: 'MILLBROOK —', index: 0 },
    ]);
  });

  it('a list item, or a paragraph an adapter already marked, is not looked at', () => {
    const item = '• HARWICK — The museum reopened.';
    expect(removeBoilerplate([item, ...BODY], rules).body).toEqual([item, ...BODY]);
    const marked = {
      text: 'HARWICK — A caption.',
      furniture: { kind: 'caption', reason: 'under an image' },
    } as const;
    const { body, removed } = removeBoilerplate([marked, 'MILLBROOK — The council voted.'], rules);
    expect(body).toEqual(['The council voted.']);
    expect(removed.map((r) => r.reason)).toEqual(['under an image', 'dateline (MILLBROOK)']);
  });

  it('looked at alone, a paragraph that opens with a dateline is body (only removeBoilerplate cuts it)', () => {
    expect(kindsOf('HARWICK — The museum reopened on Saturday.')).toEqual([undefined, undefined]);
  });

  it('an empty pattern list turns it off; a capture group names the dateline', () => {
    const paragraph = 'HARWICK — The museum reopened on Saturday.';
    const off = withRules({ datelinePrefixPatterns: [] });
    expect(removeBoilerplate([paragraph, ...BODY], off).body).toEqual([paragraph, ...BODY]);
    const house = withRules({ datelinePrefixPatterns: ['^\\[(\\p{Lu}+)\\]\\s+'] });
    const { body, removed } = removeBoilerplate(['[HARWICK] The museum reopened.', ...BODY], house);
    expect(body).toEqual(['The museum reopened.', ...BODY]);
    expect(removed).toEqual([
      { kind: 'dateline', reason: 'dateline (HARWICK)', text: '[HARWICK]', index: 0 },
    ]);
  });
});

describe('bios and promos, at the end', () => {
  it('removes an author bio only among the last paragraphs', () => {
    const bio = 'The author is Jane Doe, a Lisbon-based journalist with 20 years of experience.';
    expect(kindOf(bio, 9, 10)).toBe('bio');
    expect(kindOf(bio, 2, 10)).toBeUndefined();
    expect(kindOf('Jane Doe is a transport reporter at the Coastal Courier.', 9, 10)).toBe('bio');
  });

  it.each([
    ['Priya Raman covers City Hall for the Gazette. Reach her at priya@gazette.example or @priyaraman.'],
    ['Jane Doe is a staff writer at the Coastal Courier.'],
    ['Jane Doe has covered transport since 2015.'],
    ['Follow him on X @samreed.'],
    ['— Reporting by Jane Doe; Editing by John Roe'],
    ['(Reporting by Jane Doe in London; Editing by John Roe)'],
    ['Additional reporting by Sam Reed in Lisbon.'],
    ['The Associated Press contributed to this report.'],
    ['Contact the reporter at the City Hall desk.'],
    ['Questions for the author? Reach him at sreed@courier.example.'],
  ])('%s is a bio at the end, body in the middle', (bio) => {
    expect(kindsOf(bio)).toEqual([undefined, 'bio']);
  });

  it.each([
    ['Anton Reyes is a former harbour pilot and a member of the Sandmouth Boating Club.'],
    ['Lena Park is a retired schoolteacher who lives in Kestrel Bay.'],
    ['Omar Haddad, a nurse in Tarrow, is the author of “Night Shift,” a memoir.'],
    ['Jo Brandt is the author, most recently, of a history of the harbour.'],
    ['Dr. Ruth Imani teaches public health at Norland State University.'],
    ['Sam Okoro writes about housing and transit.'],
    ['Ines Marr writes a weekly column on gardening.'],
    ['Paul Verne is an economist at the Harbour Institute.'],
    ['Nadia Brook is a senior fellow at the Coastal Policy Center.'],
  ])('an opinion writer’s bio, "%s", is a bio at the end, body in the middle', (bio) => {
    expect(kindsOf(bio)).toEqual([undefined, 'bio']);
  });

  it.each([
    // a surname alone is a second reference in a news story, not a bio
    'Okafor is a former teacher who now runs the hardware store.',
    // reported speech
    'Diane Okafor is a former teacher, and she said the town would rebuild.',
    'Hector Villanueva, who teaches fourth grade, said the plan works.',
    // no name at all
    'The program is a former pilot project that the district expanded.',
    'Nobody writes about the night buses.',
    // a long closing paragraph is body
    `Lena Park is a retired schoolteacher. ${'She has fought for the night buses for years. '.repeat(8)}`,
  ])('a closing body paragraph that looks a little like a bio stays: %s', (sentence) => {
    expect(kindsOf(sentence.trim())).toEqual([undefined, undefined]);
  });

  it('an opinion writer’s bio goes at the end of the column and stays in the middle of it', () => {
    const bio = 'Anton Reyes is a former harbour pilot and a member of the Sandmouth Boating Club.';
    const end = removeBoilerplate(['By Anton Reyes', ...BODY, bio], rules);
    expect(end.body).toEqual(BODY);
    expect(end.removed.map((r) => r.kind)).toEqual(['byline', 'bio']);
    const middle = [...BODY, bio, ...BODY];
    expect(removeBoilerplate(middle, rules).body).toEqual(middle);
  });

  it('a reporter contact that is mostly an e-mail address goes wherever it stands', () => {
    expect(kindsOf('Contact the reporter: jdoe@courier.example')).toEqual(['contact', 'contact']);
  });

  it.each([
    'Jane Doe covers the costs of the trip herself.',
    'Neighbours said they could not reach him at home on Sunday.',
    'Reporting by the Gazette last year showed the depot was unsafe.',
  ])('a closing body sentence stays: %s', (sentence) => {
    expect(kindsOf(sentence)).toEqual([undefined, undefined]);
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

  it('the tail counts body paragraphs only: a bio above related links and a promo is found', () => {
    const tail = [
      'Priya Raman covers City Hall for the Gazette.',
      '— Reporting by Priya Raman; Editing by Sam Reed',
      'Related: Ferry timetable changes next week',
      'Read this article in Spanish',
      'Sign up for our morning newsletter.',
    ];
    const { body, removed } = removeBoilerplate([...BODY, ...tail], rules);
    expect(body).toEqual(BODY);
    expect(removed.map((r) => r.kind)).toEqual(['bio', 'bio', 'related', 'language', 'promo']);
  });

  it('with tailParagraphs 0 no bio or promo is removed; bylines and captions still are', () => {
    const none = withRules({ tailParagraphs: 0 });
    expect(classifyBoilerplate('Sign up for our newsletter.', 9, 10, none)).toBeUndefined();
    expect(removeBoilerplate([...BODY, 'Sign up for our newsletter.'], none).removed).toEqual([]);
    expect(classifyBoilerplate('By Jane Doe', 9, 10, none)?.kind).toBe('byline');
    expect(classifyBoilerplate('Photo: Reuters', 9, 10, none)?.kind).toBe('caption');
  });
});

describe('which byline names the author', () => {
  it('a byline at the top names the author', () => {
    const result = removeBoilerplate(['By Ana Lima', ...BODY], rules);
    expect(result.byline).toBe('Ana Lima');
    expect(result.removed).toEqual([
      { kind: 'byline', reason: 'byline (Ana Lima)', text: 'By Ana Lima', index: 0 },
    ]);
  });

  it('furniture above the byline does not count against it', () => {
    const top = ['Aug. 26, 2023', 'Read this article in Spanish', 'Photo: Reuters', 'Jane Doe'];
    expect(removeBoilerplate([...top, ...BODY], rules).byline).toBe('Jane Doe');
  });

  it('a bare name after at most headParagraphs body paragraphs (and before more) is the author', () => {
    const late = [...BODY.slice(0, 3), 'Jane Doe', ...BODY, ...BODY];
    expect(removeBoilerplate(late, rules).byline).toBe('Jane Doe');
    expect(removeBoilerplate(late, withRules({ headParagraphs: 2 })).byline).toBeUndefined();
  });

  it('a name further down is dropped but names nobody, and says why', () => {
    const { body, removed, byline } = removeBoilerplate([...BODY, 'Sam Reed', ...BODY.slice(0, 2)], rules);
    expect(byline).toBeUndefined();
    expect(body).toEqual([...BODY, ...BODY.slice(0, 2)]);
    expect(removed).toEqual([
      {
        kind: 'byline',
        reason: 'byline too far from the top to name the author (Sam Reed)',
        text: 'Sam Reed',
        index: 4,
      },
    ]);
  });

  it('a name with nothing below it is not the author, however short the article', () => {
    expect(removeBoilerplate(['The port reopened on Monday.', 'Sam Reed'], rules).byline).toBeUndefined();
  });
});

describe('list items', () => {
  it('are read without their marker, so a bulleted "Read more" is still a pointer away', () => {
    expect(kindOf('• Read more: Council votes on parking fees', 5, 20)).toBe('related');
    expect(kindOf('- Photo: Reuters', 5, 20)).toBe('caption');
  });

  it('a list of names is no byline', () => {
    const names = ['The prize went to three readers:', '• Jane Doe', '• Sam Reed', '• Ana Lima', ...BODY];
    expect(removeBoilerplate(names, rules)).toEqual({ body: names, removed: [] });
  });
});

describe('removeBoilerplate', () => {
  it('returns the body in order and every removed paragraph with its kind, reason and position', () => {
    const paragraphs = [
      'By Ana Lima',
      ...BODY,
      'Ana Lima is a reporter at the Coastal Courier.',
      'Sign up for our newsletter.',
    ];
    const { body, removed, byline } = removeBoilerplate(paragraphs, rules);
    expect(body).toEqual(BODY);
    expect(byline).toBe('Ana Lima');
    expect(removed).toEqual([
      { kind: 'byline', reason: 'byline (Ana Lima)', text: 'By Ana Lima', index: 0 },
      {
        kind: 'bio',
        reason: 'reporter bio (Ana Lima is a reporter)',
        text: 'Ana Lima is a reporter at the Coastal Courier.',
        index: 5,
      },
      { kind: 'promo', reason: 'promo (Sign up)', text: 'Sign up for our newsletter.', index: 6 },
    ]);
  });

  it('a paragraph the adapter already marked is reported with its own reason', () => {
    const marked = {
      text: 'A crowd on the bank.',
      furniture: { kind: 'caption', reason: 'under an image' },
    } as const;
    const { body, removed } = removeBoilerplate([BODY[0]!, marked, BODY[1]!], rules);
    expect(body).toEqual([BODY[0], BODY[1]]);
    expect(removed).toEqual([
      { kind: 'caption', reason: 'under an image', text: 'A crowd on the bank.', index: 1 },
    ]);
  });

  it('the seed’s sort of article: the body is untouched', () => {
    expect(removeBoilerplate(BODY, rules)).toEqual({ body: BODY, removed: [] });
  });
});

describe('configurable patterns', () => {
  it('a custom promo pattern removes a house phrase the defaults keep', () => {
    const house = 'Tip line: the desk reads every message.';
    expect(removeBoilerplate([...BODY, house], rules).body).toContain(house);
    const custom = withRules({ promoPatterns: [...DEFAULT_BOILERPLATE_RULES.promoPatterns, '^tip line:'] });
    const { body, removed } = removeBoilerplate([...BODY, house], custom);
    expect(body).toEqual(BODY);
    expect(removed).toEqual([
      { kind: 'promo', reason: 'promo (Tip line:)', text: house, index: BODY.length },
    ]);
  });

  it('each new kind takes its own patterns; a capture group names what was found in the reason', () => {
    const custom = withRules({
      captionPatterns: ['^pictured:\\s*(.+)$'],
      endMarkerPatterns: ['^\\[ends\\]$'],
      languagePatterns: ['^auf deutsch$'],
    });
    const { body, removed } = removeBoilerplate(
      ['Pictured: the new pier', ...BODY, 'Auf Deutsch', '[ends]', 'Photo: Reuters'],
      custom,
    );
    expect(body).toEqual(BODY);
    expect(removed.map((r) => r.reason)).toEqual([
      'photo caption or credit (the new pier)',
      'language switch (Auf Deutsch)',
      'end marker [ends]',
      'after end marker [ends]',
    ]);
  });

  it('an empty list turns a kind off', () => {
    const off = withRules({ datelinePatterns: [] });
    expect(removeBoilerplate(['Aug. 26, 2023', ...BODY], off).body).toEqual(['Aug. 26, 2023', ...BODY]);
  });

  it('patterns without letter-case classes are case-insensitive', () => {
    expect(
      classifyBoilerplate('HOUSE AD: buy our calendar', 9, 10, withRules({ promoPatterns: ['house ad'] }))
        ?.kind,
    ).toBe('promo');
  });

  it('an invalid pattern throws and names the pattern', () => {
    expect(() => withRules({ bylinePatterns: ['(unclosed'] })).toThrow(/\(unclosed/);
    expect(() => withRules({ contactPatterns: ['[z-a]'] })).toThrow(/\[z-a\]/);
  });
});

describe('bylineName', () => {
  it.each([
    ['By Jane Doe', 'Jane Doe'],
    ['BY JANE DOE | Staff writer', 'JANE DOE'],
    ['By Jane Doe, Coastal Courier', 'Jane Doe'],
    ['By Anne-Marie O’Neill, Coastal Courier', 'Anne-Marie O’Neill'],
    ['By Sam Reed - Staff writer', 'Sam Reed'],
    ['Written by Jane Doe', 'Jane Doe'],
    ['Dmitry Babich', 'Dmitry Babich'],
  ])('%s -> %s', (line, name) => {
    expect(bylineName(line)).toBe(name);
  });
});

describe('patterns from the settings file', () => {
  const settingsWith = (boilerplate: Record<string, unknown>) =>
    loadConfig({ settings: { boilerplate, channels: [{ id: 'x', platform: 'twitter' }] }, env: {} });
  const ingest = (article: string, boilerplate: Record<string, unknown>) => {
    const outcome = settingsWith(boilerplate);
    if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
    const result = ingestWithSettings(
      { bytes: Buffer.from(article), source: 'a.txt' },
      outcome.config.settings,
    );
    if (!result.ok) throw new Error(result.problem.message);
    return result.article.paragraphs;
  };

  it('a house phrase configured under boilerplate.promoPatterns is dropped from the article', () => {
    const article =
      'Harbour News\n\nThe ferry timetable changes next week.\n\nTip line: the desk reads every message.\n';
    expect(ingest(article, {})).toContain('Tip line: the desk reads every message.');
    expect(ingest(article, { promoPatterns: ['^tip line:'] })).toEqual([
      'The ferry timetable changes next week.',
    ]);
  });

  it('a new key (captionPatterns) is read from the settings; omitted keys keep their defaults', () => {
    const article =
      'Harbour News\n\nPictured: the pier at dawn\n\nThe ferry timetable changes next week.\n\n-end-\n\nJane Smith';
    expect(ingest(article, {})).toEqual([
      'Pictured: the pier at dawn',
      'The ferry timetable changes next week.',
    ]);
    expect(ingest(article, { captionPatterns: ['^pictured:'] })).toEqual([
      'The ferry timetable changes next week.',
    ]);
  });

  it('datelinePrefixPatterns is read from the settings: the default cuts the dateline, [] keeps it', () => {
    const article = 'Harbour News\n\nHARWICK — The ferry timetable changes next week.\n';
    expect(ingest(article, {})).toEqual(['The ferry timetable changes next week.']);
    expect(ingest(article, { datelinePrefixPatterns: [] })).toEqual([
      'HARWICK — The ferry timetable changes next week.',
    ]);
  });

  it('an invalid pattern in the settings is reported with its key, not thrown', () => {
    for (const key of ['bylinePatterns', 'captionPatterns', 'endMarkerPatterns', 'datelinePrefixPatterns']) {
      const outcome = settingsWith({ [key]: ['(by'] });
      expect(outcome.ok).toBe(false);
      expect(outcome.ok ? [] : outcome.problems).toEqual([
        expect.stringMatching(new RegExp(`boilerplate\\.${key}\\[0\\]: not a valid regular expression`)),
      ]);
    }
  });

  it('an unknown key under boilerplate is refused, not ignored', () => {
    const outcome = settingsWith({ footerPatterns: ['x'] });
    expect(outcome.ok).toBe(false);
    expect((outcome.ok ? [] : outcome.problems).join('\n')).toMatch(/boilerplate.*footerPatterns/);
  });

  it('headParagraphs is a small count', () => {
    expect(settingsWith({ headParagraphs: 3 }).ok).toBe(true);
    expect(settingsWith({ headParagraphs: -1 }).ok).toBe(false);
  });
});
