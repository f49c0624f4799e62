import { Composer, type MiddlewareFn } from 'telegraf';
import type { BotContext, ButtonPress } from '../bot-context.js';
import type { BotServices, CommandRequest, CommandResult } from '../bot-types.js';
import type { CallbackAction } from '../callback-data.js';
import type { CommandInfo } from '../commands/help-command.js';

/** One entry of the registry: what /help and Telegram's menu show, and what runs. */
export interface BotCommand extends CommandInfo {
  /** The group that owns it: its module in groups/. */
  readonly group: string;
  /** Other names it answers to, not listed (Telegram sends /start when a chat with the bot opens). */
  readonly aliases?: readonly string[];
  /** Parses the arguments, calls one use case, says the outcome (see commands/). */
  readonly run: (s: BotServices, req: CommandRequest) => CommandResult | Promise<CommandResult>;
}

export interface CommandGroup {
  readonly name: string;
  /** In the order /help lists them. */
  readonly commands: readonly BotCommand[];
  /** Handlers of the buttons this group's replies carry (see onAction). */
  readonly actions: readonly MiddlewareFn<BotContext>[];
}

export function defineCommandGroup(
  name: string,
  commands: readonly Omit<BotCommand, 'group'>[],
  actions: readonly MiddlewareFn<BotContext>[] = [],
): CommandGroup {
  return { name, commands: commands.map((c) => ({ ...c, group: name })), actions };
}

/** The group's composer: each of its commands (by name or alias), then each of its buttons. */
export function groupComposer(group: CommandGroup): Composer<BotContext> {
  return new Composer<BotContext>(...group.commands.map(onCommand), ...group.actions);
}

export function answersTo(command: BotCommand, name: string): boolean {
  return command.name === name || (command.aliases?.includes(name) ?? false);
}

/** Runs `command` for a request that names it and leaves the answer in ctx.result; else passes on. */
function onCommand(command: BotCommand): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const { request } = ctx;
    if (!request || !answersTo(command, request.name)) return next();
    ctx.result = await command.run(ctx.tools.services, request);
  };
}

type ActionOf<K extends CallbackAction['kind']> = Extract<CallbackAction, { kind: K }>;

/** Handles the presses of one kind of button (callback-data.ts); other presses pass on. */
export function onAction<K extends CallbackAction['kind']>(
  kind: K,
  handle: (ctx: BotContext, press: ButtonPress<ActionOf<K>>) => Promise<void>,
): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const { press } = ctx;
    if (!press || press.action.kind !== kind) return next();
    await handle(ctx, press as ButtonPress<ActionOf<K>>);
  };
}
