import { createInterface } from 'node:readline/promises';
import type { CliContext } from './cli-context.js';

/**
 * Asks a yes/no question on the terminal (the question on standard error, so standard output keeps
 * only results). Anything but "y" or "yes", Ctrl-C, or an aborted signal is a no.
 */
export async function confirm(ctx: CliContext, question: string, signal?: AbortSignal): Promise<boolean> {
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr });
  try {
    const answer = await rl.question(question, signal ? { signal } : {});
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    ctx.stderr.write('\n');
    return false;
  } finally {
    rl.close();
  }
}

/** Whether someone at a terminal can answer a question (standard input is a TTY). */
export function canAsk(ctx: CliContext): boolean {
  return Boolean((ctx.stdin as { isTTY?: boolean }).isTTY);
}
