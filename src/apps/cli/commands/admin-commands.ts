import {
  type AdminResult,
  parsePostId,
  pauseChannel,
  resolveUnknownPost,
  resumeChannel,
  retryPost,
  skipPost,
} from '../../../use-cases/admin-actions.js';
import type { Runtime } from '../../runtime/build-runtime.js';
import { parseCommandArgs } from '../args.js';
import type { CliContext } from '../cli-context.js';
import { CliError, EXIT_BAD_INPUT, EXIT_FAILURE } from '../cli-error.js';
import { openRuntime } from '../open-runtime.js';
import { RESOLVE_USAGE } from '../usage.js';

/**
 * Runs an admin action. A refusal exits 2 when the input names nothing that exists (no such post, no
 * such channel), like every other command given a bad id, or is incomplete (a thread part marked as
 * sent without its remote id), and 1 when the thing exists but cannot be changed that way (a sent
 * post cannot be retried).
 */
async function run(
  ctx: CliContext,
  action: (runtime: Runtime) => Promise<AdminResult>,
  namesNothing: (runtime: Runtime) => boolean | Promise<boolean>,
): Promise<number> {
  const runtime = openRuntime(ctx, { exclusive: false });
  try {
    const result = await action(runtime);
    if (!result.ok)
      throw new CliError(
        result.message,
        result.badInput || (await namesNothing(runtime)) ? EXIT_BAD_INPUT : EXIT_FAILURE,
      );
    ctx.stdout.write(`${result.message}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}

const noPost = (id: number) => async (runtime: Runtime) => (await runtime.store.getPost(id)) === undefined;
const noChannel = (id: string) => (runtime: Runtime) => !runtime.config.channels.some((c) => c.id === id);

function postIdArg(command: string, positionals: readonly string[]): number {
  const id = parsePostId(positionals[0]);
  if (id === undefined) throw new CliError(`${command} needs a post id, e.g. quotecast ${command} 42`);
  return id;
}

export async function retryCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { positionals } = parseCommandArgs('retry', args, {});
  const id = postIdArg('retry', positionals);
  return await run(ctx, async (r) => await retryPost(r.store, id, r.clock.now()), noPost(id));
}

export async function skipCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { positionals } = parseCommandArgs('skip', args, {});
  const id = postIdArg('skip', positionals);
  return await run(ctx, async (r) => await skipPost(r.store, id), noPost(id));
}

export async function resolveCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs('resolve', args, {
    sent: { type: 'boolean' },
    resend: { type: 'boolean' },
    'remote-id': { type: 'string' },
  });
  const id = postIdArg('resolve', positionals);
  if (Boolean(values.sent) === Boolean(values.resend))
    throw new CliError('resolve needs exactly one of --sent (it arrived) or --resend (send it again)');
  const remoteId = values['remote-id'];
  if (remoteId !== undefined && values.resend)
    throw new CliError(`--remote-id goes with --sent (the id of the post that arrived): ${RESOLVE_USAGE}`);
  return await run(
    ctx,
    async (r) => {
      const step = await resolveUnknownPost(r.deps, id, values.sent ? 'sent' : 'resend', {
        ...(remoteId === undefined ? {} : { remoteId }),
        via: 'cli',
      });
      return step.kind === 'done' ? step.result : step.run();
    },
    noPost(id),
  );
}

export async function pauseCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { positionals } = parseCommandArgs('pause', args, {});
  if (!positionals[0]) throw new CliError('pause needs a channel id');
  return await run(
    ctx,
    async (r) => await pauseChannel(r.deps, positionals[0]!, 'the command line'),
    noChannel(positionals[0]),
  );
}

export async function resumeCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { positionals } = parseCommandArgs('resume', args, {});
  if (!positionals[0]) throw new CliError('resume needs a channel id');
  return await run(ctx, async (r) => await resumeChannel(r.deps, positionals[0]!), noChannel(positionals[0]));
}
