/**
 * The CLI's exit codes and how an error maps to one.
 *
 * @module
 */
import { isAbortError, isClinikoTradifyError, isConfigError } from '../core/errors.js';

/** Exit codes of `cliniko-tradify`. */
export const EXIT = Object.freeze({
  /** The command did what it was asked. */
  ok: 0,
  /** It failed (an API down beyond the retry budget, a lease held by another run, a bug). */
  failed: 1,
  /** A setting is missing or wrong; the one line printed names it and the fix. */
  config: 2,
  /** It finished, but a person is needed: dead letters or reviews are open, or reconciliation found mismatches. */
  attention: 3,
  /** Stopped by Ctrl-C (SIGINT) or SIGTERM after the current page; the checkpoint is kept. */
  interrupted: 130,
});

/** The exit code for an error that ended a command. */
export function exitCodeFor(error: unknown, interrupted: boolean): number {
  if (interrupted || isAbortError(error)) return EXIT.interrupted;
  if (isConfigError(error) || (error as { code?: unknown } | null)?.code === 'commander.usage') return EXIT.config;
  return EXIT.failed;
}

/** A one-line, secret-free description of an error for the terminal. */
export function errorLine(error: unknown): string {
  if (isClinikoTradifyError(error)) return error.message.replace(/\s*\n\s*/g, ' ');
  if (error instanceof Error) return `unexpected ${error.name}: ${error.message.split('\n')[0] ?? ''}`;
  return 'unexpected failure';
}

/** The JSON form of an error for `--json` (code, message and the setting for a ConfigError). */
export function errorJson(error: unknown): { code: string; message: string; setting?: string } {
  const message = errorLine(error);
  if (isConfigError(error)) return { code: error.code, message, setting: error.setting };
  if (isClinikoTradifyError(error)) return { code: error.code, message };
  return { code: 'unexpected', message };
}
