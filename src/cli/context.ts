/**
 * What every command action gets: the output, the global options, the stop signal, and lazy
 * access to the configuration, the store and the engine (closed when the action ends).
 *
 * @module
 */
import type { Command } from 'commander';
import { defaultLogger, silentLogger } from '../core/logger.js';
import type { StateStore } from '../sync/ports.js';
import { loadCliConfig, type CliConfig } from './config.js';
import { errorJson, errorLine, exitCodeFor } from './exit-codes.js';
import { Output, type CliIo } from './output.js';
import { progressMode, type ProgressMode } from './progress.js';
import { openRuntime, openStore, type CliRuntime } from './runtime.js';

/** Options every command accepts (declared on the root command). */
export interface GlobalOptions {
  config?: string | undefined;
  json?: boolean | undefined;
  progress?: string | undefined;
  verbose?: boolean | undefined;
}

/** The per-invocation context of a command action. */
export class CommandContext {
  readonly io: CliIo;
  readonly out: Output;
  readonly options: GlobalOptions;
  /** Aborted by Ctrl-C / SIGTERM. */
  readonly signal: AbortSignal;
  readonly #closers: Array<() => Promise<void>> = [];
  #config: CliConfig | undefined;

  constructor(io: CliIo, options: GlobalOptions, signal: AbortSignal) {
    this.io = io;
    this.options = options;
    this.signal = signal;
    this.out = new Output(io, options.json === true);
  }

  /** How progress is drawn for this invocation. */
  get progressMode(): ProgressMode {
    return progressMode(this.options.progress, this.out.json, this.io.stderr.isTTY);
  }

  /** The merged configuration (env, file, defaults). */
  async config(): Promise<CliConfig> {
    this.#config ??= await loadCliConfig({ env: this.io.env, configPath: this.options.config, cwd: this.io.cwd });
    return this.#config;
  }

  /** The state store only (commands that read it need no API keys). */
  async store(): Promise<StateStore> {
    const store = await openStore(await this.config());
    this.#closers.push(() => store.close());
    return store;
  }

  /** Clients, store and engine. */
  async runtime(): Promise<CliRuntime> {
    const runtime = await openRuntime(await this.config(), this.options.verbose ? defaultLogger : silentLogger);
    this.#closers.push(() => runtime.close());
    return runtime;
  }

  /** Releases what the action opened. */
  async close(): Promise<void> {
    for (const close of this.#closers.splice(0).reverse()) await close().catch(() => undefined);
  }

  /** Reports an error the way the mode asks and returns its exit code. */
  fail(command: string, error: unknown): number {
    const exitCode = exitCodeFor(error, this.signal.aborted);
    const line = this.signal.aborted ? 'stopped: the checkpoint of the last completed page is kept; run the command again to resume.' : errorLine(error);
    this.io.stderr.write(`cliniko-tradify ${command}: ${line}\n`);
    this.out.document({ command, exitCode, error: errorJson(error) });
    return exitCode;
  }
}

/** The action signature every command module exports. */
export type CommandAction = (ctx: CommandContext, ...args: unknown[]) => Promise<number>;

/** The global options of `command`, merged with its parents'. */
export function globalsOf(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}
