import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A fresh temp folder. */
export function tempDir(prefix = 'ct-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Only what the child needs: no CLINIKO_* or TRADIFY_* leaks in from the parent. */
export function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), NODE_NO_WARNINGS: '1' };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** Starts the CLI in a child process (`node --import tsx src/cli/main.ts …`). */
export function startCli(args: readonly string[], env: Record<string, string>, cwd = ROOT): { child: ChildProcess; done: Promise<CliResult>; stderrText: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, stderrText: () => stderr };
}

/** Runs the CLI to the end. */
export function runCli(args: readonly string[], env: Record<string, string>, cwd = ROOT): Promise<CliResult> {
  return startCli(args, env, cwd).done;
}

/** Waits (polling every 50 ms) until `check` is true, or fails after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The lines of stderr that are not blank. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}
