export interface ParsedCommand {
  /** Lower-cased, without the slash. */
  readonly name: string;
  /** The bot named after `@`, if any (`/status@quotecast_bot`). */
  readonly mention: string | undefined;
  /** Everything after the command, trimmed; newlines kept. */
  readonly args: string;
}

/** `/name[@bot] args…` at the very start of a message (text or caption), else undefined. */
export function parseCommand(text: string | undefined): ParsedCommand | undefined {
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?=\s|$)([\s\S]*)$/.exec(text ?? '');
  if (!match) return undefined;
  return { name: (match[1] ?? '').toLowerCase(), mention: match[2], args: (match[3] ?? '').trim() };
}
