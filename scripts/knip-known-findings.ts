// A knip preprocessor (see knip.jsonc): drops the findings listed under
// preprocessorOptions.knownFindings, { "<issue type>": { "<file>": ["<name>", ...] } }, so the
// findings that exist today are known exceptions and any NEW finding fails `npm run knip`.
// A listed finding that no longer occurs is named, so the list can only shrink.
import type { IssueType, ReporterOptions } from 'knip';

/** Known findings by issue type, then by file (relative to the project root). */
export type KnownFindings = Partial<Record<IssueType, Record<string, string[]>>>;

/** Removes one finding from the results; false when knip did not report it. */
function dropFinding(options: ReporterOptions, type: IssueType, file: string, name: string): boolean {
  const findings = options.issues[type]?.[file];
  if (!findings?.[name]) return false;
  delete findings[name];
  if (Object.keys(findings).length === 0) delete options.issues[type][file];
  options.counters[type] -= 1;
  return true;
}

/** The preprocessor: knip's results without the known findings. */
export default function dropKnownFindings(options: ReporterOptions): ReporterOptions {
  const { knownFindings = {} } = JSON.parse(options.preprocessorOptions || '{}') as { knownFindings?: KnownFindings };
  const gone: string[] = [];
  for (const [type, files] of Object.entries(knownFindings) as Array<[IssueType, Record<string, string[]>]>) {
    for (const [file, names] of Object.entries(files)) {
      for (const name of names) {
        if (!dropFinding(options, type, file, name)) gone.push(`${type}: ${file} ${name}`);
      }
    }
  }
  if (gone.length > 0) {
    console.warn(`knip: ${gone.length} known finding(s) no longer occur; remove them from knip.jsonc:\n  ${gone.join('\n  ')}`);
  }
  return options;
}
