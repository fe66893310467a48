/**
 * What every command action gets: the output, the global options, the stop signal, and lazy
 * access to the configuration, the store and the engine (closed when the action ends).
 *
 * @module
 */
import type { Command } from 'commander';
import type { LogFields, Logger } from '../core/logger.js';
import type { Alert, StateStore } from '../sync/ports.js';
import { loadCliConfig, type CliConfig } from './config.js';
import { errorJson, errorLine, exitCodeFor } from './exit-codes.js';
import { createLineLogger, formatEntry, logFormatFor, logLevelFor, type EntryLevel, type LogFormat, type LogLevel } from './logging.js';
import { Output, type CliIo } from './output.js';
import { progressMode, type ProgressMode } from './progress.js';
import { openRuntime, openStore, type CliRuntime } from './runtime.js';

/** Options every command accepts (declared on the root command). */
export interface GlobalOptions {
  config?: string | undefined;
  json?: boolean | undefined;
  progress?: string | undefined;
  verbose?: boolean | undefined;
  logFormat?: string | undefined;
  logLevel?: string | undefined;
}

/** The commands that stay running: their log level defaults to `info`. */
const LONG_RUNNING = new Set(['schedule', 'worker']);

/** The per-invocation context of a command action. */
export class CommandContext {
  readonly io: CliIo;
  readonly out: Output;
  readonly options: GlobalOptions;
  /** Aborted by Ctrl-C / SIGTERM. */
  readonly signal: AbortSignal;
  /** `--log-format`: how every line on stderr is written. */
  readonly logFormat: LogFormat;
  /** `--log-level` (or `-v`, or the command's default). */
  readonly logLevel: LogLevel;
  /** The library's log lines, one per entry, at `logLevel` and above. */
  readonly logger: Logger;
  readonly #closers: Array<() => Promise<void>> = [];
  #config: CliConfig | undefined;

  constructor(io: CliIo, options: GlobalOptions, signal: AbortSignal, command = '') {
    this.io = io;
    this.options = options;
    this.signal = signal;
    this.logFormat = logFormatFor(options.logFormat, io.stderr.isTTY);
    this.logLevel = logLevelFor(options.logLevel, options.verbose === true, LONG_RUNNING.has(command));
    const write = (line: string): void => void io.stderr.write(line);
    this.logger = createLineLogger({ format: this.logFormat, level: this.logLevel, write });
    this.out = new Output(io, options.json === true, (text) => this.#noteLine(text));
  }

  /** How progress is drawn for this invocation (never redrawn in place when stderr carries JSON). */
  get progressMode(): ProgressMode {
    const mode = progressMode(this.options.progress, this.out.json, this.io.stderr.isTTY);
    return mode === 'tty' && this.logFormat === 'json' ? 'plain' : mode;
  }

  /**
   * A line for people on stderr, whatever the log level: as written in `pretty`, as a JSON
   * entry of `level` in `json`.
   */
  note(text: string, level: EntryLevel = 'info', fields?: LogFields): void {
    this.io.stderr.write(`${this.#noteLine(text, level, fields)}\n`);
  }

  /**
   * The console alerter's line: an entry of the log format (`error` for a critical alert, else
   * `warn`), written whatever the log level, since the console is then where alerts go.
   */
  alertLine(line: string, alert: Alert): void {
    const level = alert.severity === 'critical' ? 'error' : 'warn';
    this.io.stderr.write(`${formatEntry(this.logFormat, new Date(), level, line)}\n`);
  }

  /** Writes progress text: as is in `pretty`, as one JSON entry per progress line in `json`. */
  writeProgress(text: string): void {
    if (this.logFormat === 'pretty') {
      this.io.stderr.write(text);
      return;
    }
    const line = text.replace(/^\r?\n+|\n+$/g, '');
    if (line !== '') this.note(line);
  }

  #noteLine(text: string, level: EntryLevel = 'info', fields?: LogFields): string {
    return this.logFormat === 'json' ? formatEntry('json', new Date(), level, text, fields) : text;
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
    const runtime = await openRuntime(await this.config(), this.logger, (line, alert) => this.alertLine(line, alert));
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
    const { code, setting } = errorJson(error);
    this.note(`cliniko-tradify ${command}: ${line}`, 'error', { command, exitCode, code, setting });
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
