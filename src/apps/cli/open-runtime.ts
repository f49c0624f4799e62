import { isStoreError } from '../../adapters/sqlite/store-error.js';
import { buildRuntime, type Runtime, type RuntimeOptions } from '../runtime/build-runtime.js';
import { type CliContext, runtimeSeams } from './cli-context.js';
import { CliError, EXIT_FAILURE } from './cli-error.js';

/**
 * Builds the runtime for a command, on the context's clock and log sink; a store that cannot be
 * opened is a one-line error.
 */
export function openRuntime(ctx: CliContext, options: RuntimeOptions): Runtime {
  try {
    return buildRuntime(ctx.config(), { ...runtimeSeams(ctx), ...options });
  } catch (error) {
    if (isStoreError(error)) throw new CliError(error.message, EXIT_FAILURE);
    throw error;
  }
}
