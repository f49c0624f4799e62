/**
 * Whether a post the platform shows is the one we sent: the same words, allowing for what platforms
 * do to text on the way (X rewrites links to t.co and may normalise them, and may trim or fold
 * whitespace). Links are compared as "a link here"; everything else must match exactly.
 */
export function samePostText(ours: string, theirs: string): boolean {
  return comparable(ours) === comparable(theirs);
}

function comparable(text: string): string {
  return (
    text
      .normalize('NFC')
      // The word joiner that neutralises a mention is ours; X may keep or drop it.
      .replace(/\u2060/g, '')
      .replace(/\bhttps?:\/\/\S+/g, '<link>')
      .replace(/\s+/g, ' ')
      .trim()
  );
}
