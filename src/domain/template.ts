/**
 * Post templates. `{name}` is replaced by a value; `[ … ]` is an optional group, dropped whole
 * when any placeholder inside it has no value, so `“{text}”[ — {speaker}][ {url}]` reads well
 * whether or not the post has a speaker. Inside a group, `|` separates alternatives and the first
 * whose values are all present is used: `[ — {speaker}, {publication}| — {speaker}]` names the
 * publication only after a speaker (a bare `, The Gazette` after a quotation reads as a typo).
 * Write `\[`, `\]` and `\|` for the literal characters.
 *
 * Placeholders: text, speaker, author, publication, title, url, hashtags, n, total. `speaker` is
 * whoever's words the post carries (a quotation's speaker, or the author for the author's own
 * sentences), empty when that is not known; `author` is the article's byline.
 */
export const TEMPLATE_PLACEHOLDERS = [
  'text',
  'speaker',
  'author',
  'publication',
  'title',
  'url',
  'hashtags',
  'n',
  'total',
] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];
export type TemplateValues = Partial<Record<TemplatePlaceholder, string | number | undefined>>;

type Piece =
  | { kind: 'literal'; text: string }
  | { kind: 'field'; name: string }
  | { kind: 'group'; alternatives: Piece[][] };

/** Returns every problem with a template (unknown placeholder, unbalanced brackets), or []. */
export function checkTemplate(
  template: string,
  required: readonly TemplatePlaceholder[] = ['text'],
): string[] {
  const problems: string[] = [];
  let parsed: Piece[] = [];
  try {
    parsed = parseTemplate(template);
  } catch (error) {
    return [(error as Error).message];
  }
  const names = fieldNames(parsed);
  for (const name of names) {
    if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name)) {
      problems.push(
        `unknown placeholder {${name}}; use one of ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
      );
    }
  }
  for (const name of required) {
    if (!names.includes(name)) problems.push(`the template must contain {${name}}`);
  }
  const topLevel = parsed.filter((p) => p.kind === 'field').map((p) => (p as { name: string }).name);
  if (required.includes('text') && names.includes('text') && !topLevel.includes('text')) {
    problems.push('{text} must not be inside an optional [ ] group');
  }
  return problems;
}

/**
 * Renders a template. A placeholder with no value drops its whole `[ … ]` group; outside a group it
 * renders as nothing (the rest of the post stays: an empty {text} is how the template's own length
 * is measured, and a missing {author} must not blank a whole post).
 */
export function renderTemplate(template: string, values: TemplateValues): string {
  return renderPieces(parseTemplate(template), values, false) ?? '';
}

function renderPieces(
  pieces: readonly Piece[],
  values: TemplateValues,
  inGroup: boolean,
): string | undefined {
  let out = '';
  for (const piece of pieces) {
    if (piece.kind === 'literal') out += piece.text;
    else if (piece.kind === 'group') {
      for (const alternative of piece.alternatives) {
        const rendered = renderPieces(alternative, values, true);
        if (rendered !== undefined) {
          out += rendered;
          break;
        }
      }
    } else {
      const value = values[piece.name as TemplatePlaceholder];
      if (value === undefined || value === '') {
        if (inGroup) return undefined;
        continue;
      }
      out += String(value);
    }
  }
  return out;
}

function fieldNames(pieces: readonly Piece[]): string[] {
  return pieces.flatMap((p) =>
    p.kind === 'field' ? [p.name] : p.kind === 'group' ? p.alternatives.flatMap(fieldNames) : [],
  );
}

const cache = new Map<string, Piece[]>();

function parseTemplate(template: string): Piece[] {
  const cached = cache.get(template);
  if (cached) return cached;
  const root: Piece[] = [];
  let current = root;
  let inGroup = false;
  let group: Piece | undefined;
  let literal = '';
  const flush = () => {
    if (literal) current.push({ kind: 'literal', text: literal });
    literal = '';
  };
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch === '\\' && (template[i + 1] === '[' || template[i + 1] === ']' || template[i + 1] === '|')) {
      literal += template[++i];
    } else if (ch === '[') {
      if (inGroup) throw new Error('optional groups [ ] cannot be nested');
      flush();
      current = [];
      group = { kind: 'group', alternatives: [current] };
      root.push(group);
      inGroup = true;
    } else if (ch === '|' && inGroup && group?.kind === 'group') {
      flush();
      current = [];
      group.alternatives.push(current);
    } else if (ch === ']') {
      if (!inGroup) throw new Error('a ] closes no [ (write \\] for a literal bracket)');
      flush();
      current = root;
      inGroup = false;
    } else if (ch === '{') {
      const end = template.indexOf('}', i);
      if (end === -1) throw new Error('a { is never closed by }');
      flush();
      current.push({ kind: 'field', name: template.slice(i + 1, end) });
      i = end;
    } else {
      literal += ch;
    }
  }
  if (inGroup) throw new Error('a [ is never closed by ]');
  flush();
  if (cache.size < 100) cache.set(template, root);
  return root;
}
