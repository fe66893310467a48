/**
 * Where a command writes: human lines on stdout, diagnostics and progress on stderr, and with
 * `--json` one JSON document on stdout and nothing else there.
 *
 * @module
 */

/** The process streams and environment a command sees (injectable for tests). */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean | undefined };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Writes a command's output in the mode the user chose. */
export class Output {
  readonly json: boolean;
  readonly #io: CliIo;
  readonly #noteLine: (text: string) => string;

  /** @param noteLine - how a note is written on stderr (the log format's line). @defaultValue as is */
  constructor(io: CliIo, json: boolean, noteLine: (text: string) => string = (text) => text) {
    this.#io = io;
    this.json = json;
    this.#noteLine = noteLine;
  }

  /** A line for people (stdout); dropped in `--json` mode. */
  line(text = ''): void {
    if (!this.json) this.#io.stdout.write(`${text}\n`);
  }

  /** A note for people on stderr (kept in `--json` mode: stdout stays one document). */
  note(text: string): void {
    this.#io.stderr.write(`${this.#noteLine(text)}\n`);
  }

  /** The machine document (stdout, `--json` mode only). */
  document(doc: unknown): void {
    if (this.json) this.#io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  }
}

/** `1234567` → `1,234,567`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-AU');
}

/** Milliseconds as `45s`, `12m 5s`, `3h 20m` or `2d 4h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Rows as aligned columns (ids and codes only: never patient data). */
export function table(rows: ReadonlyArray<ReadonlyArray<string>>): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}
