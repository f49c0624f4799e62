import {
  type AdminResult,
  parsePostId,
  pauseChannel,
  resolveUnknown,
  resumeChannel,
  retryPost,
  skipPost,
} from '../../../use-cases/admin-actions.js';
import type { Runtime } from '../../runtime/build-runtime.js';
import { parseCommandArgs } from '../args.js';
import type { CliContext } from '../cli-context.js';
import { CliError, EXIT_BAD_INPUT, EXIT_FAILURE } from '../cli-error.js';
import { openRuntime } from '../open-runtime.js';

/**
 * Runs an admin action. A refusal exits 2 when the input names nothing that exists (no such post, no
 * such channel), like every other command given a bad id, and 1 when the thing exists but cannot be
 * changed that way (a sent post cannot be retried).
 */
function run(
  ctx: CliContext,
  action: (runtime: Runtime) => AdminResult,
  namesNothing: (runtime: Runtime) => boolean,
): number {
  const runtime = openRuntime(ctx, { exclusive: false });
  try {
    const result = action(runtime);
    if (!result.ok) throw new CliError(result.message, namesNothing(runtime) ? EXIT_BAD_INPUT : EXIT_FAILURE);
    ctx.stdout.write(`${result.message}\n`);
    return 0;
  } finally {
    runtime.close();
  }
}

const noPost = (id: number) => (runtime: Runtime) => runtime.store.getPost(id) === undefined;
const noChannel = (id: string) => (runtime: Runtime) => !runtime.config.channels.some((c) => c.id === id);

function postIdArg(command: string, positionals: readonly string[]): number {
  const id = parsePostId(positionals[0]);
  if (id === undefined) throw new CliError(`${command} needs a post id, e.g. quotecast ${command} 42`);
  return id;
}

export async function retryCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { positionals } = parseCommandArgs('retry', args, {});
  const id = postIdArg('retry', positionals);
  return run(ctx, (r) => retryPost(r.store, id, r.clock.now()), noPost(id));
}

export async function skipCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { positionals } = parseCommandArgs('skip', args, {});
  const id = postIdArg('skip', positionals);
  return run(ctx, (r) => skipPost(r.store, id), noPost(id));
}

export async function resolveCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs('resolve', args, {
    sent: { type: 'boolean' },
    resend: { type: 'boolean' },
  });
  const id = postIdArg('resolve', positionals);
  if (Boolean(values.sent) === Boolean(values.resend))
    throw new CliError('resolve needs exactly one of --sent (it arrived) or --resend (send it again)');
  return run(
    ctx,
    (r) => resolveUnknown(r.store, id, values.sent ? 'sent' : 'resend', r.clock.now()),
    noPost(id),
  );
}

export async function pauseCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { positionals } = parseCommandArgs('pause', args, {});
  if (!positionals[0]) throw new CliError('pause needs a channel id');
  return run(
    ctx,
    (r) => pauseChannel(r.deps, positionals[0]!, 'the command line'),
    noChannel(positionals[0]),
  );
}

export async function resumeCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { positionals } = parseCommandArgs('resume', args, {});
  if (!positionals[0]) throw new CliError('resume needs a channel id');
  return run(ctx, (r) => resumeChannel(r.deps, positionals[0]!), noChannel(positionals[0]));
}
