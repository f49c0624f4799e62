/**
 * Whether a post the platform shows is the one we sent: the same words, allowing for what platforms
 * do to text on the way (X rewrites links to t.co and may normalise them, and may trim or fold
 * whitespace). Links are compared as "a link here"; everything else must match exactly.
 */
export function samePostText(ours: string, theirs: string): boolean {
  return comparable(ours) === comparable(theirs);
}

function comparable(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\bhttps?:\/\/\S+/g, '<link>')
    .replace(/\s+/g, ' ')
    .trim();
}
