import { isListItem } from './article.js';

/**
 * Newsroom furniture: text that travels with an article but is not its body, and must never be
 * posted. Bylines, bios and promos; photo captions and credits; media-contact blocks; end markers
 * (-end-, ###, -30-) and everything after them; "Learn more / Related / Read more" lines; language
 * switches; date-only datelines; and the dateline that opens the first body paragraph ("PORT ELLIS,
 * Norland — The state announced …"), which is the one piece of furniture cut out of a paragraph
 * rather than dropped with it (see `stripDatelinePrefix`). Each kind is a list of regular
 * expressions from config, so a newsroom can add its own house phrases; the defaults below cover the
 * common shapes.
 */
export interface BoilerplateRules {
  /** A paragraph that is only a byline ("By Jane Doe", or a bare name on its own line). */
  readonly bylinePatterns: readonly string[];
  /** An author bio ("The author is …", "Jane Doe covers City Hall …", "Reporting by …"). Tail only. */
  readonly bioPatterns: readonly string[];
  /** A promo ("Sign up for our newsletter", "Follow us on …"). Tail only. */
  readonly promoPatterns: readonly string[];
  /** A photo caption or credit ("Photo: Reuters", "… (AP Photo/Jane Doe)", "… NASA/Joel Kowsky"). */
  readonly captionPatterns: readonly string[];
  /** A media contact ("Media contact:", "For more information, contact …", a phone or e-mail line). */
  readonly contactPatterns: readonly string[];
  /** A pointer away from the story ("Learn more … at:", "Related:", "Editor's note:", a bare URL). */
  readonly relatedPatterns: readonly string[];
  /** A language switch ("Lee este artículo en español aquí.", "Read this article in Spanish"). */
  readonly languagePatterns: readonly string[];
  /** A paragraph that is only a date ("Aug. 26, 2023", "WASHINGTON, March 4, 2024", "2024-03-04"). */
  readonly datelinePatterns: readonly string[];
  /**
   * A dateline at the start of one of the first body paragraphs ("MILLBROOK — ", "WASHINGTON (AP) —
   * ", "LONDON, Aug. 26 (Reuters) - "). What a pattern matches from the paragraph's first character
   * is cut off (the rest of the paragraph is kept exactly) and reported as a dateline; a match that
   * is the whole paragraph drops it. Looked for only in the first `DATELINE_PARAGRAPHS` body
   * paragraphs.
   */
  readonly datelinePrefixPatterns: readonly string[];
  /** An end marker ("-end-", "###", "-30-"): it and everything after it are dropped. */
  readonly endMarkerPatterns: readonly string[];
  /** Bios and promos are looked for only among this many body paragraphs at the end (furniture
   * found there does not count), so a body paragraph that mentions subscriptions is kept. */
  readonly tailParagraphs: number;
  /** A byline names the article's author only when at most this many body paragraphs stand above
   * it (and more below): a press officer's name at the bottom never becomes the author. */
  readonly headParagraphs: number;
}

const r = String.raw;

// Building blocks of the default patterns.
const MONTH = r`(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`;
const WEEKDAY = r`(?:(?:mon|tue(?:s)?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)`;
const DATE_PREFIX = r`(?:(?:for\s+immediate\s+release|published|updated|posted|released|last\s+updated|date)(?:\s+on)?\s*[:|–—-]?\s*)?`;
const PLACE = r`(?:\p{L}[\p{L}.'’ -]{1,40},\s*){0,2}`;
const TIME = r`(?:,?\s*(?:at\s+)?\d{1,2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)(?:\s*\p{L}{2,4})?|,?\s*(?:at\s+)?\d{1,2}:\d{2}(?:\s*\p{L}{2,4})?)?`;
const LANGUAGE = r`(?:english|spanish|español|espanol|french|français|francais|german|deutsch|portuguese|português|portugues|italian|italiano|chinese|中文|简体中文|繁體中文|arabic|العربية|russian|русский|japanese|日本語|korean|한국어|vietnamese|tiếng việt|tagalog|ukrainian|українська|polish|polski|dutch|nederlands|turkish|türkçe|hindi|हिन्दी|haitian\s+creole|kreyòl(?:\s+ayisyen)?)(?!\p{L})`;
const PHONE = r`(?:\+?\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4}(?:\s*(?:x|ext\.?)\s*\d{1,5})?`;
const EMAIL = r`[\w.+-]+@[\w-]+(?:\.[\w-]+)+`;
/**
 * A short label or name ("Tel: ", "Jane Smith, NASA Headquarters, ") before a phone number or
 * e-mail. Its words end on a non-separator, so each gap between two numbers splits one way only.
 */
const CONTACT_LABEL = r`(?:[^!?@\d]{0,59}[^!?@\d\s:,;|/–—(-])?[\s:,;|/–—(-]+`;
/**
 * A phone number or e-mail matched atomically (`(?=(x))\n`: no backtracking into it), so "202 555
 * 202 555" is not tried as one number, two, three… (exponential on a long line that fails late).
 */
const contactItem = (group: number) => `(?=(${PHONE}|${EMAIL}))\\${group}`;
const CAPITALISED = r`\p{Lu}[\p{L}'’.-]*`;
// Dateline prefixes are matched case-sensitively (they say \p{Lu}: a place in capitals), so their
// months are spelt as printed: "Aug.", "August", "AUG.".
const MONTH_NAMES = [
  'Jan(?:uary)?',
  'Feb(?:ruary)?',
  'Mar(?:ch)?',
  'Apr(?:il)?',
  'May',
  'June?',
  'July?',
  'Aug(?:ust)?',
  'Sep(?:t(?:ember)?)?',
  'Oct(?:ober)?',
  'Nov(?:ember)?',
  'Dec(?:ember)?',
];
const MONTH_CASED = `(?:${[...MONTH_NAMES, ...MONTH_NAMES.map((m) => m.toUpperCase())].join('|')})\\.?`;
/** "Aug. 26", "March 4, 2024", "26 August 2024" */
const DATE_CASED = r`(?:${MONTH_CASED}\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|\d{1,2}\s+${MONTH_CASED}(?:,?\s+\d{4})?)`;
/** A word in capitals, two letters at least: "MILLBROOK", "ST.", "D.C.", "O'FALLON", "WINSTON-SALEM". */
const CAPS_WORD = r`\p{Lu}[\p{Lu}'’.-]*\p{Lu}\.?`;
/** "PORT ELLIS", "CALLOWAY COUNTY", "BEIJING/LONDON" */
const CAPS_PLACE = r`${CAPS_WORD}(?:(?:\s+|\/)${CAPS_WORD}){0,4}`;
/** A place as usually written: "Kestrel Bay", "Port-au-Prince", "Isle of Wight". */
const PLACE_WORDS = r`\p{Lu}[\p{L}'’.-]*(?:\s+(?:\p{Lu}[\p{L}'’.-]*|(?:of|de|del|la|le|los|las|el|upon|on|am|sur)(?=\s+\p{Lu}))){0,4}`;
/** Sentence openers that are not places: "On Jan. 7 — …", "Last Friday, March 4 — …". */
const NOT_A_PLACE = r`(?!(?:On|In|At|By|For|From|Since|Until|Before|After|During|Last|This|Next|Early|Late|Today|Tonight|Yesterday|Tomorrow|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)(?![\p{L}\p{N}]))`;
/** The state, country or region after the place: ", Norland", ", N.C.", ", Puerto Rico". */
const REGION = r`(?:,\s*\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*){0,2}){0,2}`;
/** Any credit in brackets or slashes: "(AP)", "(BUSINESS WIRE)", "/PRNewswire/". */
const CREDIT = r`(?:\(\s*\p{L}[\p{L}\p{N}.&'’ -]{0,38}\)|\/\s*\p{L}[\p{L}\p{N}.&'’ -]{0,38}\/)`;
/** A news agency or wire service, which makes a place in any case a dateline: "Kestrel Bay (Reuters) -". */
const WIRE_NAME = r`(?:AP|AFP|UPI|CNN|PA|CP|AAP|ANI|PTI|dpa|DPA|EFE|ANSA|Reuters|REUTERS|Bloomberg|Xinhua|Kyodo|Yonhap|TASS|Interfax|[\p{L}\p{N}.&' -]{0,30}(?:[Ww]ire|WIRE))`;
const WIRE = r`(?:\(\s*${WIRE_NAME}\s*\)|\/\s*${WIRE_NAME}\s*\/)`;
/** Before a credit: nothing, a space, or a dash ("NEW YORK--(BUSINESS WIRE)--"). */
const BEFORE_CREDIT = r`(?:\s*(?:--?|[—–]))?\s*`;
/** The dash that ends a dateline: "—", "–", "--", or " - " (a hyphen needs spaces: "COCA-COLA"). */
const DATELINE_DASH = r`(?:\s*[—–]\s*|\s*--\s*|\s+-\s+)`;
/** What follows a dateline starts a sentence: a capital, a digit, a quotation mark, "eBay"; or nothing. */
const SENTENCE_START = r`(?=["“‘'(\[]?(?:[\p{Lu}\p{N}]|\p{Ll}+\p{Lu})|$)`;

/** Languages named in the language they are written in, or in English, Spanish, French, Portuguese, German. */
const LANGUAGE_ALL = r`(?:${LANGUAGE}|(?:inglés|ingles|anglais|inglês|englisch|inglese|espagnol|espanhol|spanisch|spagnolo|francés|frances|francês|französisch|francese|alemán|aleman|allemand|alemão|tedesco|portugués|portugais|portugiesisch|portoghese|chino|chinois|chinês|chinesisch|cinese|mandarín|mandarin|cantonese|cantonés|italien|italienisch|japonés|japonais|coreano|coréen|árabe|arabe|ruso|russe|vietnamita|vietnamien|somali|hmong|amharic|farsi|persian|urdu|bengali|punjabi|creole|criollo|créole|英文|英語|한국어|简体|繁體|繁体)(?!\p{L}))`;
/** "Spanish", "Spanish and Vietnamese", "English, Spanish or French" */
const LANGUAGES = r`${LANGUAGE_ALL}(?:\s*(?:,|\/|\s(?:and|or|y|o|et|ou|e|und))\s*${LANGUAGE_ALL})*`;
/** What a language switch says is available: the article, release or statement itself. */
const DOCUMENT = r`(?:article|story|release|press\s+release|news\s+release|statement|page|post|newsletter|announcement|notice|artículo|articulo|comunicado(?:\s+de\s+prensa)?|nota(?:\s+de\s+prensa)?|noticia|historia|página|pagina|communiqué(?:\s+de\s+presse)?|communique|artigo|notícia|reportagem|matéria|materia|artikel|beitrag|pressemitteilung|meldung|articolo|comunicato(?:\s+stampa)?)`;
const THIS = r`(?:this|the|este|esta|el|la|ce|cet|cette|le|l['’]|o|a|dieser|diese|dieses|der|die|das|questo|questa|il|lo)`;
/**
 * Where the other version is: "here", "at example.org/es", "en tarrowcounty.example.gov/salud"; or
 * nothing. The rest of the paragraph, one sentence; a lookahead, so the reason quotes the switch.
 */
const LANGUAGE_TAIL = r`(?=[.!:]?\s*$|(?:,?\s+(?:here|online|aquí|aqui|acá|ici|en\s+ligne|hier|qui|at|en|em|on|sur|auf|unter|no|na|via|through|por|pelo|del|de|by\s+(?:visiting|clicking))(?![\p{L}\p{N}])|\s*[:|–—(]|\s+-\s|,\s*(?:click|tap|haga\s+clic|haz\s+clic|pulse|cliquez|clique|visit|visite|go\s+to|vaya\s+a|see|vea))(?:[^.!?]|[.!?](?=\S))*[.!?]?\s*$)`;
/** A bio names someone in full ("Miriam Sato", "Dr. Jane Q. Doe"), maybe with an apposition. */
const FULL_NAME = r`\p{Lu}[\p{L}'’.-]+(?:\s+\p{Lu}[\p{L}'’.-]*){1,3}(?:,\s+(?:a|an|the)\s+[^,;.]{1,80},)?`;
/** A bio reports no speech: a closing paragraph that does ("… said Jane Doe") is body. */
const NO_SPEECH = r`(?![\s\S]*\b(?:said|says|told|asked)\b)`;
/** The rest of a bio: short, to the end of the paragraph. */
const BIO_REST = r`[\s\S]{0,300}$`;

/** "For more information, ", "For further details about the tour, please " */
const FOR_MORE = r`for\s+(?:more|further|additional)\s+(?:information|details|info)(?:\s+(?:on|about)\s+[^,.]{1,60})?[,:]?\s+(?:please\s+)?`;

export const DEFAULT_BOILERPLATE_RULES: BoilerplateRules = {
  bylinePatterns: [
    // "By Jane Doe", "By Jane Doe and John Roe", "BY JANE DOE | Staff writer", "Written by Jane Doe"
    r`^(?:(?:[Ww]ritten|[Ss]tory|[Ww]ords|[Rr]eported)\s+)?(?:[Bb]y|BY)\s+\p{Lu}[\p{L}'’.-]*(?:\s+(?:and\s+)?\p{Lu}[\p{L}'’.-]*){0,5}(?:\s*[|,–—-].{0,40})?$`,
    // A bare name: two to four capitalised words, no sentence punctuation ("Dmitry Babich")
    r`^\p{Lu}[\p{L}'’-]+(?:\s+(?:\p{Lu}\.|\p{Lu}[\p{L}'’-]+)){1,3}$`,
  ],
  bioPatterns: [
    r`^the\s+(?:author|writer)s?\s+(?:is|are|was)\b`,
    // "Jane Doe is a transport reporter at the Coastal Courier.", "Jane Doe is a historian …"
    r`^\p{Lu}[\p{L}'’.-]+(?:\s+\p{Lu}[\p{L}'’.-]+){0,3}\s+(?:is|was)\s+an?\s+.{0,100}\b(?:journalist|writer|columnist|reporter|correspondent|editor|contributor|analyst|professor|author|lecturer|researcher|scholar|historian|economist|novelist|poet|essayist|fellow\s+(?:at|of|with|in))\b`,
    // An opinion writer's bio, which names a full name and then what the writer is or does:
    // "Miriam Sato is a former transit planner for the city …", "Jane Doe, a nurse, is the author of
    // …", "Jane Doe teaches history at …", "Jane Doe writes about housing." Short, and reporting no
    // speech; like every bio, only in the tail (a news story's "Okafor is a former teacher" in the
    // middle is body).
    r`^${NO_SPEECH}${FULL_NAME}\s+(?:is|was)\s+(?:a|an)\s+(?:former|retired|onetime|one-time|longtime|long-time|freelance|contributing|visiting|founding)\s${BIO_REST}`,
    r`^${NO_SPEECH}${FULL_NAME}\s+(?:is|was)\s+(?:the\s+)?(?:author|co-?author)\b[^.]{0,40}?\sof\s${BIO_REST}`,
    r`^${NO_SPEECH}${FULL_NAME}\s+(?:teaches|taught|lectures)\s${BIO_REST}`,
    r`^${NO_SPEECH}${FULL_NAME}\s+(?:writes|blogs)\s+(?:about|on|from|(?:a|the)\s+(?:[\p{L}-]+\s+){0,3}(?:column|newsletter|blog))\s?${BIO_REST}`,
    // "Priya Raman covers City Hall for the Gazette.", "Jane Doe has covered transport since 2015."
    r`^\p{Lu}[\p{L}'’.-]+(?:\s+\p{Lu}[\p{L}'’.-]+){1,3}\s+(?:covers|reports\s+on|writes\s+(?:about|on))\s[^.]{1,80}?\s(?:for|at)\s+(?:the\s+)?\p{Lu}`,
    r`^\p{Lu}[\p{L}'’.-]+(?:\s+\p{Lu}[\p{L}'’.-]+){1,3}\s+has\s+(?:covered|reported\s+on|written\s+about)\s[^.]{1,80}?\s(?:since|for)\s`,
    // "Contact the reporter at …", "Email the author: …"
    r`^(?:contact|e-?mail|reach|write\s+to|message)\s+(?:the\s+)?(?:reporter|author|writer|journalist)s?\b`,
    // "… Reach her at priya@example.org or @priya."
    r`\b(?:reach|contact|e-?mail)\s+(?:him|her|them)\s+at\s+(?:[\w.+-]+@|@\w)`,
    // "Follow him on X @handle."
    r`^follow\s+(?:him|her|them|the\s+(?:reporter|author|writer))\s+on\b`,
    // Reuters style: "— Reporting by Jane Doe; Editing by John Roe", "Additional reporting by …"
    r`^[(\[]?\s*(?:[—–-]+\s*)?(?:[Aa]dditional\s+)?(?:[Rr]eporting|[Ww]riting|[Ee]diting|[Rr]esearch)(?:\s+and\s+(?:reporting|writing|editing))?\s+by\s+\p{Lu}`,
    // "The Associated Press contributed to this report."
    r`^\p{Lu}[^.!?]{0,80}?\s+contributed\s+(?:reporting|research|to\s+this\s+(?:report|story|article))`,
  ],
  promoPatterns: [
    r`\b(?:sign\s+up|subscribe|newsletter|follow\s+us|sent\s+(?:directly\s+)?to\s+(?:you|your\s+inbox)|download\s+(?:our|the)\s+app|support\s+our\s+journalism|share\s+this\s+(?:article|story))\b`,
  ],
  captionPatterns: [
    // "Photo: Reuters", "Photo credit: Jane Doe", "Image | NASA", "File photo: …"
    r`^(?:file\s+)?(?:photo(?:graph)?s?|images?|pictures?|videos?|graphics?|illustrations?|infographics?)(?:\s+credits?)?\s*[:|]\s*(.+)$`,
    // "Credit: Jane Doe/The Gazette", "Courtesy: the museum"
    r`^(?:credits?|courtesy)\s*:\s*(.+)$`,
    // "Photo by Jane Doe", "Picture courtesy of the museum"
    r`^(?:photo(?:graph)?|picture|image)s?\s+(?:by|courtesy\s+of|from)\s+(.+)$`,
    // "… Image courtesy of NASA" ending a caption
    r`(?:^|[.!?]\s+)(?:images?|photos?|pictures?)\s+courtesy\s+(?:of\s+)?([^.]{1,60})\.?$`,
    // "… Photo Credit: (NASA/Joel Kowsky)"
    r`\b(?:photo|image|picture|video)\s+(?:credits?|courtesy)\s*:?\s*\(?([^()]{1,80}[^().])\)?\s*$`,
    // "… (AP Photo/Jane Doe)", "… (Photo: Reuters)", "… (Photo by Jane Doe)."
    r`\(([^()]*\b(?:photo(?:graph)?|picture|image|pool|file)s?\b\s*(?:[/:]|by\b)[^()]*)\)\.?\s*$`,
    // "… Photo: Reuters" ending a caption
    r`(?:[.!?)]\s+|\s[|–—-]\s)(?:photos?|pictures?|images?|credits?)\s*:\s*([^:]{2,60}?)\.?\s*$`,
    // A caption ending in an agency/photographer credit: "… NASA/Joel Kowsky"
    r`(?:^|[\s(])(${CAPITALISED}(?:\s+${CAPITALISED}){0,3}\s?\/\s?${CAPITALISED}(?:\s+${CAPITALISED}){0,3})\)?$`,
    // "… AFP via Getty Images", "… Shutterstock"
    r`\b((?:[\p{L}.]+\s+(?:via|for)\s+)?getty\s+images|shutterstock(?:\.com)?|alamy(?:\s+stock\s+photo)?|istock(?:photo)?)\)?\s*$`,
  ],
  contactPatterns: [
    // A line that is mostly phone numbers and e-mail addresses: "Jane Smith, 202-555-0100, jane@agency.gov"
    r`^(?:${CONTACT_LABEL})?${contactItem(1)}(?:${CONTACT_LABEL}${contactItem(2)})*[\s).,;]*$`,
    // "Media contact:", "Press contacts", "Media inquiries: …", "Contact"
    r`^(?:(?:media|press|news(?:room)?|public\s+(?:affairs|information)|communications?)\s+)?(?:contacts?|inquiries|enquiries|relations)\s*(?:[:|—–]|-\s|$)`,
    r`^(?:media|press)\s+(?:office|desk|officer)s?\s*(?:[:|—–]|-\s|$)`,
    // "For more information, contact …", "For further details please call …"
    r`^${FOR_MORE}(?:contact|call|e-?mail|write\s+to|reach)\b`,
    // "Contact: …", "Tel: …", "Email: …"
    r`^(?:please\s+)?(?:contact|call|e-?mail|phone|tel(?:ephone)?|fax|mobile|cell)\s*:`,
  ],
  relatedPatterns: [
    // "Learn more about … at:", "Read more: …", "Find out more …"
    r`^(?:learn|read|find\s+out|discover|see)\s+more\b`,
    // "Related:", "Related coverage", "See also", "Watch:", "Editor's note: …", "Note to editors:"
    r`^(?:related(?:\s+(?:coverage|content|stories|story|articles?|links?|reading|news|topics?))?|more\s+(?:coverage|stories|news|on\s+this(?:\s+story)?)|see\s+also|also\s+(?:read|see)|(?:watch|listen)(?:\s+(?:the\s+)?(?:video|live|now|here|more))?|editor['’]?s\s+note|note\s+to\s+editors|further\s+reading|recommended(?:\s+(?:reading|stories))?|most\s+(?:read|popular|viewed))\s*(?:[:|—–]|-\s|$)`,
    // "For more information, visit …"
    r`^${FOR_MORE}(?:visit|see|go\s+to|read)\b`,
    // A paragraph that is only a URL ("https://…", "Website: www.…")
    r`^(?:\p{L}[\p{L} ]{0,30}:\s*)?[<(]?(?:https?:\/\/|www\.)\S+?[>)]?[.,;]?$`,
    r`^(?:click|tap)\s+here\b`,
  ],
  languagePatterns: [
    // A short paragraph (at most 160 characters) pointing to this article in another language, in
    // English or in that language, ending where it says where ("here", "at example.org/es"). A body
    // sentence that mentions a language ("Menus will be posted in English and Spanish.", "The
    // Spanish version of the report was published …") has no such shape.
    // "This article is also available in French", "Este comunicado está disponible en español en
    // …", "Cet article est aussi disponible en anglais", "Disponível em português"
    r`^(?:${THIS}\s*${DOCUMENT}\s+(?:(?:also|también|tambien|aussi|também|auch|anche)\s+)?(?:is|está|esta|se\s+encuentra|est|ist|é|è|can\s+be\s+read)\s+)?(?:(?:also|también|tambien|aussi|également|egalement|também|auch|anche)\s+)?(?:available|disponible|disponibles|disponível|disponivel|verfügbar|disponibile)\s+(?:to\s+read\s+)?(?:in|en|em|auf)\s+${LANGUAGES}${LANGUAGE_TAIL}`,
    // "Read this article in Spanish", "View this release in 中文", "Read in Spanish", "Lee este artículo en español aquí.", "Lire
    // en français", "Leia em português", "Leggi in italiano", "Para leer en español, haga clic aquí"
    r`^(?:(?:to|para|pour)\s+)?(?:read|view|see|lee|lea|leer|ver|vea|lire|lisez|voir|leia|ler|leggi|leggere)\s+(?:(?:it|this|${THIS}\s*${DOCUMENT})\s+)?(?:in|en|em)\s+${LANGUAGES}${LANGUAGE_TAIL}`,
    // "Versión en español", "English version", "Read the Spanish version of this story here",
    // "Version française", "Deutsche Fassung"
    r`^(?:(?:read|see|view|lea|lee|ver|vea|lire|voir|leia|leggi)\s+(?:the|our|la|nuestra|le|a|la)\s+)?(?:${LANGUAGE_ALL}\s+(?:version|versión|edition|translation)|(?:versión|version|edición|edicion|versão|versao|versione|traducción|traduction|tradução)\s+(?:en|em|in)\s+${LANGUAGE_ALL}|version\s+(?:française|francaise|anglaise|espagnole)|versione\s+(?:italiana|inglese)|(?:deutsche|englische|spanische)\s+(?:version|fassung|ausgabe))(?:\s+of\s+${THIS}\s+${DOCUMENT})?${LANGUAGE_TAIL}`,
    // "Auf Deutsch lesen", "Diesen Artikel auf Englisch lesen", "Dieser Artikel ist auch auf Deutsch verfügbar"
    r`^(?:(?:diesen|dieser|diese|dieses)\s+${DOCUMENT}\s+(?:ist\s+)?)?(?:auch\s+)?auf\s+${LANGUAGE_ALL}\s+(?:lesen|verfügbar|erhältlich)${LANGUAGE_TAIL}`,
    // "阅读中文版", "點擊閱讀英文版", "中文版", "日本語で読む", "한국어로 읽기", "Đọc bằng tiếng Việt",
    // "Читать на русском", "اقرأ بالعربية"
    r`^(?:点击|點擊|点此|點此|按此)?(?:阅读|閱讀|查看|浏览|瀏覽|读|讀)?(?:本文|此文|这篇文章|這篇文章)?的?(?:简体|繁體|繁体|簡體)?(?:中文|英文)版本?[。.!！]?$`,
    r`^(?:この記事を)?(?:日本語|英語)(?:版|で読む)[。.]?$`,
    r`^(?:이\s*기사를\s*)?(?:한국어|영어)(?:로\s*(?:읽기|보기)|\s*(?:판|버전))[.]?$`,
    r`^(?:đọc|xem)\s+(?:bài\s+(?:này|viết\s+này)\s+)?(?:bằng\s+)?tiếng\s+(?:việt|anh)${LANGUAGE_TAIL}`,
    r`^(?:читать|прочитать|читайте|читати)\s+(?:(?:эту\s+)?(?:статью|новость)\s+)?(?:на\s+(?:русском|английском|украинском)(?:\s+языке)?|українською|англійською)${LANGUAGE_TAIL}`,
    r`^(?:اقرأ|إقرأ)\s+(?:هذا\s+\S+\s+)?(?:باللغة\s+ال|بال)(?:عربية|إنجليزية|انجليزية)${LANGUAGE_TAIL}`,
    // "En français", "En español", "In English" alone; a switcher "English | Español"
    r`^(?:in|en|em|auf)\s+${LANGUAGE_ALL}[.:]?$`,
    r`^${LANGUAGE}(?:\s*[|/·•]\s*${LANGUAGE})+$`,
  ],
  datelinePatterns: [
    // "Aug. 26, 2023", "Monday, March 4, 2024", "WASHINGTON, March 4, 2024", "4 March 2024", "March 2024"
    r`^${DATE_PREFIX}${PLACE}${WEEKDAY}?(?:${MONTH}\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}(?:st|nd|rd|th)?\s+${MONTH},?\s+\d{4}|${MONTH},?\s+\d{4})${TIME}\.?$`,
    // "2024-03-04", "2024-03-04T10:00:00Z"
    r`^${DATE_PREFIX}\d{4}-\d{2}-\d{2}(?:[T\s]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$`,
    // "03/04/2024", "4.3.2024"
    r`^${DATE_PREFIX}${PLACE}\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$`,
    r`^for\s+immediate\s+release\.?$`,
  ],
  datelinePrefixPatterns: [
    // A place in capitals, with its region, a date and a wire credit if given, then a dash:
    // "MILLBROOK — ", "PORT ELLIS, Norland — ", "WASHINGTON (AP) — ", "LONDON, Aug. 26 (Reuters) - ",
    // "NEW YORK, March 4, 2024 /PRNewswire/ -- ", "NEW YORK--(BUSINESS WIRE)--"
    r`^${CAPS_PLACE}${REGION}(?:,\s*${DATE_CASED})?(?:${BEFORE_CREDIT}${CREDIT})?${DATELINE_DASH}${SENTENCE_START}`,
    // A place as usually written needs a date or a news agency to be a dateline: "Kestrel Bay, Jan.
    // 7 — ", "Kestrel Bay (Reuters) - "
    r`^${NOT_A_PLACE}${PLACE_WORDS}${REGION},\s*${DATE_CASED}(?:${BEFORE_CREDIT}${CREDIT})?${DATELINE_DASH}${SENTENCE_START}`,
    r`^${NOT_A_PLACE}${PLACE_WORDS}${REGION}${BEFORE_CREDIT}${WIRE}${DATELINE_DASH}${SENTENCE_START}`,
  ],
  endMarkerPatterns: [
    // "-end-", "-30-", "- END -", "— END —", "--30--". The dashes are required: a line that is only
    // "end" or "30" can be part of a wrapped sentence.
    r`^[-–—]+\s*(?:end|30)\s*[-–—]+$`,
    // "###", "# # #"
    r`^(?:#\s*){3,}$`,
  ],
  tailParagraphs: 3,
  headParagraphs: 3,
};

export type BoilerplateKind =
  | 'byline'
  | 'bio'
  | 'promo'
  | 'caption'
  | 'contact'
  | 'related'
  | 'language'
  | 'dateline'
  | 'end-marker'
  | 'after-end';

/** Why a paragraph is not body: its kind and a reason a person can read ("photo credit (NASA)"). */
export interface Furniture {
  readonly kind: BoilerplateKind;
  readonly reason: string;
}

export interface RemovedParagraph extends Furniture {
  readonly text: string;
  /** Position among the paragraphs it was removed from (0-based); -1 for an HTML element dropped
   * from the page markup before its paragraphs were read. */
  readonly index: number;
}

/** A paragraph an adapter already knows is furniture (an image's caption in Markdown). */
export interface MarkedParagraph {
  readonly text: string;
  readonly furniture: Furniture;
}

export type SourceParagraph = string | MarkedParagraph;

type PatternKind = Exclude<BoilerplateKind, 'after-end'>;

export interface CompiledBoilerplateRules {
  readonly patterns: Readonly<Record<PatternKind, readonly RegExp[]>>;
  readonly datelinePrefixes: readonly RegExp[];
  readonly tailParagraphs: number;
  readonly headParagraphs: number;
}

/**
 * Patterns are case-insensitive, except those that name letter case (`\p{Lu}`, `\p{Ll}`, …): under
 * the `i` flag JavaScript lets `\p{Lu}` match any letter, so "two capitalised words" would match any
 * short line ("lower taxes for firms"). Such a pattern is compiled case-sensitively instead, which is
 * what it says.
 */
const NAMES_LETTER_CASE =
  /\\[pP]\{(?:gc=|General_Category=)?(?:Lu|Ll|Lt|LC|Uppercase_Letter|Lowercase_Letter|Titlecase_Letter|Cased_Letter|Uppercase|Lowercase|Upper|Lower)\}/;

export function boilerplatePatternFlags(pattern: string): string {
  return NAMES_LETTER_CASE.test(pattern) ? 'u' : 'iu';
}

/** Compiles rules once; throws with the offending pattern when one is not a valid expression. */
export function compileBoilerplateRules(rules: BoilerplateRules): CompiledBoilerplateRules {
  const compile = (patterns: readonly string[]) =>
    patterns.map((pattern) => new RegExp(pattern, boilerplatePatternFlags(pattern)));
  return {
    patterns: {
      byline: compile(rules.bylinePatterns),
      bio: compile(rules.bioPatterns),
      promo: compile(rules.promoPatterns),
      caption: compile(rules.captionPatterns),
      contact: compile(rules.contactPatterns),
      related: compile(rules.relatedPatterns),
      language: compile(rules.languagePatterns),
      dateline: compile(rules.datelinePatterns),
      'end-marker': compile(rules.endMarkerPatterns),
    },
    datelinePrefixes: compile(rules.datelinePrefixPatterns),
    tailParagraphs: rules.tailParagraphs,
    headParagraphs: rules.headParagraphs,
  };
}

export const FURNITURE_LABELS: Readonly<Record<BoilerplateKind, string>> = {
  byline: 'byline',
  bio: 'reporter bio',
  promo: 'promo',
  caption: 'photo caption or credit',
  contact: 'media contact',
  related: 'related link or note',
  language: 'language switch',
  dateline: 'date-only dateline',
  'end-marker': 'end marker',
  'after-end': 'after end marker',
};

/**
 * Furniture is short. A paragraph longer than this for its kind is body whatever it starts with (a
 * long paragraph opening "By the end of …"), and the cap also bounds the work of each pattern.
 */
const MAX_CHARS: Readonly<Record<PatternKind, number>> = {
  byline: 80,
  dateline: 100,
  language: 160,
  'end-marker': 40,
  contact: 300,
  related: 300,
  bio: 1000,
  promo: 1000,
  caption: 1000,
};

/** Kinds looked for anywhere, in this order (the first that matches names the paragraph). */
const ANYWHERE: readonly PatternKind[] = ['dateline', 'language', 'contact', 'related', 'byline', 'caption'];
/** Kinds looked for only at the end of the article. */
const TAIL: readonly PatternKind[] = ['bio', 'promo'];

const LIST_MARKER = /^(?:[-*•◦▪‣]|\d{1,3}[.)])\s+/u;

function match(kind: PatternKind, text: string, rules: CompiledBoilerplateRules): Furniture | undefined {
  if (text.length > MAX_CHARS[kind]) return undefined;
  for (const re of rules.patterns[kind]) {
    const found = re.exec(text);
    if (!found) continue;
    // The first capture group, when a pattern has one, names what was found ("NASA/Joel Kowsky");
    // otherwise the match, completed to the end of its last word ("Reporting by J" is "… Jane").
    const end = found.index + found[0].length;
    const whole = found[0] + (/^[\p{L}\p{N}]*/u.exec(text.slice(end))?.[0] ?? '');
    const shown = (found.slice(1).find((g) => g?.trim()) ?? whole).trim();
    const label = FURNITURE_LABELS[kind];
    return { kind, reason: shown ? `${label} (${clip(shown, 60)})` : label };
  }
  return undefined;
}

function firstMatch(
  kinds: readonly PatternKind[],
  paragraph: string,
  rules: CompiledBoilerplateRules,
): Furniture | undefined {
  // A list item is read without its marker ("• Read more: …"); a list of names is not a byline.
  const listItem = isListItem(paragraph);
  const text = listItem ? paragraph.replace(LIST_MARKER, '') : paragraph;
  for (const kind of kinds) {
    if (listItem && kind === 'byline') continue;
    const found = match(kind, text, rules);
    if (found) return found;
  }
  return undefined;
}

/**
 * What a paragraph is when looked at alone, as if it stood at `index` of `count` paragraphs: end
 * markers, then the kinds found anywhere, then (in the last `tailParagraphs`) bios and promos.
 * `removeBoilerplate` adds what needs the neighbours: what follows an end marker, contact blocks, a
 * tail that skips furniture, and whether a byline is near enough the top to name the author.
 */
export function classifyBoilerplate(
  paragraph: string,
  index: number,
  count: number,
  rules: CompiledBoilerplateRules,
): Furniture | undefined {
  return (
    endMarker(paragraph, rules) ??
    firstMatch(ANYWHERE, paragraph, rules) ??
    (index >= count - rules.tailParagraphs ? firstMatch(TAIL, paragraph, rules) : undefined)
  );
}

/** Furniture found anywhere: what a first line must not be to count as a title. */
export function furnitureAnywhere(paragraph: string, rules: CompiledBoilerplateRules): Furniture | undefined {
  return endMarker(paragraph, rules) ?? firstMatch(ANYWHERE, paragraph, rules);
}

/** True for an end marker ("-end-", "###"): ingestion gives it a paragraph of its own. */
export function isEndMarker(line: string, rules: CompiledBoilerplateRules): boolean {
  return endMarker(line.trim(), rules) !== undefined;
}

/** "-end-", "###"; also "- END -", which Markdown reads as a list item and gives a bullet ("• END -"). */
function endMarker(paragraph: string, rules: CompiledBoilerplateRules): Furniture | undefined {
  const found =
    match('end-marker', paragraph, rules) ?? match('end-marker', paragraph.replace(/^•\s/u, '- '), rules);
  return found && { kind: 'end-marker', reason: `end marker ${paragraph}` };
}

/** A name, a job title, an office: the lines of a contact block around a phone number or e-mail. */
function isShortLine(text: string): boolean {
  return text.length <= 80 && text.split(/\s+/).length <= 10 && !/[.!?…:;,]["'”’)]?$/u.test(text);
}

/** Lines of a contact block that may stand above its first phone or e-mail line ("Jane Smith"). */
const CONTACT_LINES_ABOVE = 3;

export interface BoilerplateResult {
  readonly body: string[];
  readonly removed: RemovedParagraph[];
  /** The author's name from a byline near the top, when there is one. */
  readonly byline?: string;
}

/** Splits paragraphs into the body that may be posted and the furniture that was dropped. */
export function removeBoilerplate(
  paragraphs: readonly SourceParagraph[],
  rules: CompiledBoilerplateRules,
): BoilerplateResult {
  const texts = paragraphs.map((p) => (typeof p === 'string' ? p : p.text));
  const verdicts: (Furniture | undefined)[] = paragraphs.map((p) =>
    typeof p === 'string' ? undefined : p.furniture,
  );
  const n = texts.length;

  // An end marker ends the article: it and everything after it go. One in first place ends nothing.
  for (let i = 0; i < n; i++) {
    const marker = endMarker(texts[i]!, rules);
    if (!marker) continue;
    verdicts[i] = marker;
    if (i === 0) continue;
    for (let j = i + 1; j < n; j++)
      verdicts[j] = { kind: 'after-end', reason: `after end marker ${texts[i]}` };
    break;
  }

  for (let i = 0; i < n; i++) verdicts[i] ??= firstMatch(ANYWHERE, texts[i]!, rules);

  extendContactBlocks(texts, verdicts);

  // A dateline opening one of the first body paragraphs is cut off it; the rest stays body.
  const stripped = stripDatelinePrefix(texts, verdicts, paragraphs, rules);

  // The tail: bios and promos among the last body paragraphs, furniture already found not counted.
  for (let i = n - 1, seen = 0; i >= 0 && seen < rules.tailParagraphs; i--) {
    if (verdicts[i]) continue;
    verdicts[i] = firstMatch(TAIL, texts[i]!, rules);
    if (!verdicts[i]) seen++;
  }

  // A byline names the author only near the top, with more body below it than above.
  let byline: string | undefined;
  const bodyCount = verdicts.filter((v) => !v).length;
  for (let i = 0, before = 0; i < n; i++) {
    if (!verdicts[i]) before++;
    if (verdicts[i]?.kind !== 'byline' || typeof paragraphs[i] !== 'string') continue;
    const name = bylineName(texts[i]!);
    if (before <= rules.headParagraphs && bodyCount - before > before) {
      byline ??= name;
      verdicts[i] = { kind: 'byline', reason: `byline (${name})` };
    } else {
      verdicts[i] = { kind: 'byline', reason: `byline too far from the top to name the author (${name})` };
    }
  }

  const body: string[] = [];
  const removed: RemovedParagraph[] = [];
  texts.forEach((text, index) => {
    const verdict = verdicts[index];
    if (verdict) removed.push({ kind: verdict.kind, reason: verdict.reason, text, index });
    else if (stripped?.index === index) {
      removed.push(stripped.removed);
      body.push(stripped.rest);
    } else body.push(text);
  });
  return byline ? { body, removed, byline } : { body, removed };
}

/** A dateline is looked for at the start of this many body paragraphs (a standfirst may come first). */
export const DATELINE_PARAGRAPHS = 2;
/** A dateline is short: only this much of a paragraph is searched, and a longer match is no dateline. */
const MAX_DATELINE_CHARS = 120;

/**
 * The dateline that opens a news story or release ("PORT ELLIS, Norland — The state announced …",
 * "WASHINGTON (AP) — …") is furniture inside a body paragraph. It is looked for only at the very
 * start of the first `DATELINE_PARAGRAPHS` body paragraphs (not list items, not paragraphs already
 * found to be furniture), so a dash later in a sentence, or a capitalised phrase further down the
 * article, is never touched. The matched prefix is cut off and the rest of the paragraph kept
 * character for character; the prefix is reported as a dropped dateline ("dateline (PORT ELLIS,
 * Norland)"). A paragraph that is nothing but a dateline ("MILLBROOK —" on a line of its own) is
 * dropped whole instead. One dateline per article: the search stops at the first.
 */
function stripDatelinePrefix(
  texts: readonly string[],
  verdicts: (Furniture | undefined)[],
  paragraphs: readonly SourceParagraph[],
  rules: CompiledBoilerplateRules,
): { index: number; rest: string; removed: RemovedParagraph } | undefined {
  if (rules.datelinePrefixes.length === 0) return undefined;
  for (let i = 0, seen = 0; i < texts.length && seen < DATELINE_PARAGRAPHS; i++) {
    if (verdicts[i] || typeof paragraphs[i] !== 'string') continue;
    const text = texts[i]!;
    const found = isListItem(text) ? undefined : datelinePrefix(text, rules);
    if (!found) {
      seen++;
      continue;
    }
    const rest = text.slice(found.length);
    const reason = `dateline (${found.shown})`;
    if (!rest) {
      verdicts[i] = { kind: 'dateline', reason };
      return undefined;
    }
    return { index: i, rest, removed: { kind: 'dateline', reason, text: found.prefix, index: i } };
  }
  return undefined;
}

/** The dateline a paragraph opens with: its length with the space after it, the text, what to show. */
function datelinePrefix(
  text: string,
  rules: CompiledBoilerplateRules,
): { length: number; prefix: string; shown: string } | undefined {
  // Searching a bounded head keeps every pattern cheap on a 16,000-character paragraph; a match that
  // runs to the end of the head is only taken when the head is the whole paragraph.
  const head = text.slice(0, MAX_DATELINE_CHARS + 1);
  for (const re of rules.datelinePrefixes) {
    const found = re.exec(head);
    if (found?.index !== 0 || found[0].trim() === '') continue;
    if (found[0].length > MAX_DATELINE_CHARS) continue;
    const prefix = found[0].trim();
    const group = found.slice(1).find((g) => g?.trim());
    const shown = (group ?? prefix.replace(/[\s—–-]+$/u, '')).trim();
    return { length: found[0].length, prefix, shown: clip(shown, 60) };
  }
  return undefined;
}

/**
 * A contact block is a contact line ("Media contact:", a phone number, an e-mail) with the short
 * lines around it: the names and job titles above it, the names, offices and numbers below it.
 */
function extendContactBlocks(texts: readonly string[], verdicts: (Furniture | undefined)[]): void {
  const joinable = (i: number) => (!verdicts[i] || verdicts[i]!.kind === 'byline') && isShortLine(texts[i]!);
  for (let i = 0; i < texts.length; i++) {
    if (verdicts[i]?.kind !== 'contact') continue;
    const reason = `${FURNITURE_LABELS.contact} block (with "${clip(texts[i]!, 40)}")`;
    for (let j = i - 1; j >= 0 && j >= i - CONTACT_LINES_ABOVE && joinable(j); j--)
      verdicts[j] = { kind: 'contact', reason };
    let j = i + 1;
    for (; j < texts.length && joinable(j); j++) verdicts[j] = { kind: 'contact', reason };
    i = j - 1;
  }
}

/** "By Jane Doe" -> "Jane Doe", "By Jane Doe, Coastal Courier" -> "Jane Doe"; a bare name stays. */
export function bylineName(line: string): string {
  return line
    .replace(/^(?:(?:written|story|words|reported)\s+)?by\s+/i, '')
    .replace(/\s*(?:[|,]|\s[–—-]\s).*$/u, '')
    .trim();
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
