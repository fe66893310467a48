/**
 * The contract between the command tree and the command modules: each module registers its
 * commands with a {@link Bind}, which turns the module's action into a commander action. It
 * lives apart from `program.ts`, so a command never imports the tree that imports it.
 *
 * @module
 */
import type { CommandContext } from './context.js';

/** A command's action: the context, then commander's positional arguments and options. */
type CommandHandler = (ctx: CommandContext, ...args: never[]) => Promise<number>;

/** Turns a handler into a commander action that records the exit code. */
export type Bind = (name: string, handler: CommandHandler) => (...args: unknown[]) => Promise<void>;
