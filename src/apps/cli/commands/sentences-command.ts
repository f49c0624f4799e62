import { segmentSentences } from '../../../domain/segment-sentences.js';
import { oneOf, parseCommandArgs } from '../args.js';
import type { CliContext } from '../cli-context.js';
import { INPUT_OPTIONS, readArticle, shorten } from './split-command.js';

/** The body cut into sentences exactly as the splitter sees them. */
export async function sentencesCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('sentences', args, INPUT_OPTIONS);
  const format = oneOf('--format', values.format, ['text', 'json'] as const, 'text');
  const outcome = await readArticle(ctx, positionals, values);
  const sentences = segmentSentences(outcome.article.paragraphs);
  if (format === 'json') {
    ctx.stdout.write(
      `${JSON.stringify(
        sentences.map((s) => s.text),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  const lines = sentences.map((s, i) => `${String(i + 1).padStart(4)}  ¶${s.paragraph + 1}  ${s.text}`);
  ctx.stdout.write(`${lines.join('\n')}\n`);
  for (const removed of outcome.removed)
    ctx.stderr.write(`note: dropped ${removed.reason}: ${shorten(removed.text, 70)}\n`);
  return 0;
}
