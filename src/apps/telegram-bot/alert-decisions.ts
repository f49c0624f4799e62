/** A decision an admin took with an alert's button: what, and who. */
export interface AlertDecision {
  /** "Dropped 3 queued post(s) of article 12 …", as the use case said it. */
  readonly verdict: string;
  /** The admin's label ("@ada_editor (1001)"). */
  readonly by: string;
}

/**
 * Who decided what, so a press on another admin's copy of the same alert says "already decided, by
 * whom" instead of acting twice. Kept in the bot's memory (most recent `max`): after a restart the
 * use cases still refuse a second decision (the item is no longer held, the article is approved),
 * only without the name.
 */
export interface AlertDecisions {
  get(subject: string): AlertDecision | undefined;
  record(subject: string, decision: AlertDecision): void;
}

export function createAlertDecisions(max = 1000): AlertDecisions {
  const decided = new Map<string, AlertDecision>();
  return {
    get: (subject) => decided.get(subject),
    record(subject, decision) {
      decided.delete(subject);
      decided.set(subject, decision);
      for (const oldest of decided.keys()) {
        if (decided.size <= max) break;
        decided.delete(oldest);
      }
    },
  };
}
