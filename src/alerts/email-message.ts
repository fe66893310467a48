/**
 * The words of an alert email, for the people who read them: a practice manager or a
 * bookkeeper. Each says what happened, how many records, what to do next and which command or
 * report to open. Like every alert it names records by id only.
 *
 * @module
 */
import type { Alert, AlertKind, AlertSeverity } from '../sync/ports.js';

/** How many record ids an email lists before "and N more". */
export const MAX_IDS_IN_EMAIL = 20;

/** An alert email's subject and plain-text body. */
export interface EmailAlertMessage {
  /** One line: how urgent, what happened, the account. */
  subject: string;
  /** The plain-text body: what happened, how many, what to do next, the ids, the details. */
  text: string;
}

/** Options of {@link emailAlertMessage}. */
export interface EmailAlertMessageOptions {
  /** How the command is run where the reader works. @defaultValue `'cliniko-tradify'` */
  command?: string | undefined;
}

const URGENCY: Record<AlertSeverity, string> = { critical: 'Urgent', warning: 'Action needed', info: 'For your information' };

/** Words for the reason codes a reader is most likely to see; others are shown as they are. */
const REASONS: Record<string, string> = {
  schema: 'the record in Cliniko holds a value the sync cannot read',
  unprocessable: 'Tradify refused the record',
  'customer-missing': "its patient could not be copied first",
  'mapping-failed': 'the record could not be turned into its Tradify form',
  conflict: 'Tradify already holds a different record with the same reference',
  'tradify-unavailable': 'Tradify did not answer',
  'open-credit': 'an invoice in credit',
  'changed-after-approval': 'an invoice changed in Cliniko after it was approved in Tradify',
  'edited-in-tradify': 'an invoice edited in Tradify',
  'tradify-edit-conflict': 'a customer edited in both Cliniko and Tradify',
  'missing-in-tradify': 'in Cliniko but missing in Tradify',
  'field-mismatch': 'different in Tradify',
  orphan: 'linked to a record that no longer exists',
  duplicate: 'duplicated in Tradify',
  'link-drift': 'linked inconsistently',
  'possible-missed-link': 'possibly the same customer entered twice',
  'deleted-patient': 'deleted in Cliniko but still in Tradify',
};

interface KindText {
  headline(n: number): string;
  happened: string;
  /** How many records, in words (for a kind whose counts are not records, where to see them). */
  howMany(n: number, command: string): string;
  /** Whether the counts are records by reason (listed under "How many"). */
  byReason: boolean;
  next(command: string): string[];
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const KINDS: Record<AlertKind, KindText> = {
  'dead-letters': {
    headline: (n) => `${plural(n, 'record', 'records')} could not be copied to Tradify`,
    happened: 'Some Cliniko records could not be copied to Tradify and were set aside. Everything else was copied as usual; the records set aside wait until someone looks at them.',
    howMany: (n) => `${plural(n, 'record was', 'records were')} set aside, for these reasons:`,
    byReason: true,
    next: (c) => [`See the list and the reason for each: ${c} dead-letters list`, 'Correct the record in Cliniko (or the setting named in the reason).', `Then copy them again: ${c} dead-letters replay`],
  },
  reviews: {
    headline: (n) => `${plural(n, 'record needs', 'records need')} a decision`,
    happened: 'The sync found records it will not change on its own, because doing so could undo work done by hand (for example an invoice already paid or edited in Tradify).',
    howMany: (n) => `${plural(n, 'record waits', 'records wait')} for a decision, for these reasons:`,
    byReason: true,
    next: (c) => [`See them: ${c} reviews list`, `Decide each one: ${c} reviews resolve <id> reissue, retry or dismiss`],
  },
  outage: {
    headline: () => 'Tradify could not be reached, so the sync paused',
    happened: 'Tradify stopped answering during a sync, even after several tries. The sync stopped writing and kept its place: nothing is lost, and the next sync carries on where this one stopped.',
    howMany: (_n, c) => `Every record changed in Cliniko since the pause waits to be copied; ${c} status shows how many.`,
    byReason: false,
    next: (c) => ['Usually nothing: the next scheduled sync tries again by itself.', 'If this lasts more than a few hours, check that Tradify is up and that the sync’s Tradify address and key are right.', `See what is waiting: ${c} status`],
  },
  reconciliation: {
    headline: (n) => `The check of Cliniko against Tradify found ${plural(n, 'difference', 'differences')}`,
    happened: 'The regular comparison of Cliniko and Tradify found records that do not match.',
    howMany: (n) => `${plural(n, 'difference', 'differences')}:`,
    byReason: true,
    next: (c) => ['Open the latest reconciliation report (the HTML file in the reports folder) for the list.', `Or produce one now: ${c} reconcile --out ./reports`, `Records missing in Tradify are usually put right by: ${c} reconcile --repair`],
  },
  'run-failed': {
    headline: () => 'A sync run failed',
    happened: 'A sync stopped with an error before it finished. What it had already copied is kept.',
    howMany: (_n, c) => `The records it had not reached wait for the next run; ${c} status shows how many.`,
    byReason: false,
    next: (c) => [`See the last run and why it stopped: ${c} status`, 'If the reason names a setting, correct it; most other failures clear by themselves at the next run.'],
  },
  lease: {
    headline: () => 'Another copy of the sync is holding this account',
    happened: 'A sync could not start because another copy of the sync was already working on this account.',
    howMany: (_n, c) => `No record was copied by this run; ${c} status shows what waits.`,
    byReason: false,
    next: (c) => [`Check that only one scheduler or worker runs for this account; ${c} status shows which one holds it.`],
  },
  config: {
    headline: () => 'The sync needs a setting corrected',
    happened: 'The sync stopped because a setting is missing or wrong.',
    howMany: (_n, c) => `No record was copied by this run; ${c} status shows what waits.`,
    byReason: false,
    next: (c) => [`Run the sync by hand to see which setting to correct: ${c} sync`],
  },
};

function total(alert: Alert): number {
  const given = alert.counts.total;
  if (given !== undefined) return given;
  return Object.values(alert.counts).reduce((sum, n) => sum + n, 0);
}

function countLines(alert: Alert): string[] {
  return Object.entries(alert.counts)
    .filter(([reason]) => reason !== 'total')
    .map(([reason, n]) => `- ${n} × ${REASONS[reason] ?? reason} (${reason})`);
}

function idsLine(ids: readonly string[]): string {
  const shown = ids.slice(0, MAX_IDS_IN_EMAIL).join(', ');
  return ids.length > MAX_IDS_IN_EMAIL ? `${shown} and ${ids.length - MAX_IDS_IN_EMAIL} more` : shown;
}

/** Text from an alert field with line breaks and other control characters turned into spaces. */
function flat(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

/**
 * The subject and plain-text body of the email for `alert`.
 *
 * @example
 * ```ts
 * const { subject, text } = emailAlertMessage(alert);
 * // subject: 'Action needed: 3 records could not be copied to Tradify (Cliniko sync, account default)'
 * ```
 */
export function emailAlertMessage(alert: Alert, options: EmailAlertMessageOptions = {}): EmailAlertMessage {
  const command = options.command ?? 'cliniko-tradify';
  const kind: KindText = KINDS[alert.kind] ?? { headline: () => flat(alert.summary), happened: flat(alert.summary), howMany: (n: number) => `${n} in all:`, byReason: true, next: (c: string) => [`${c} status`] };
  const n = total(alert);
  const account = flat(alert.accountId);
  const subject = flat(`${URGENCY[alert.severity] ?? 'Alert'}: ${kind.headline(n)} (Cliniko sync, account ${account})`);
  const sections = [
    ['What happened', kind.happened],
    ['How many', [kind.howMany(n, command), ...(kind.byReason ? countLines(alert) : [])].join('\n')],
    ['What to do next', kind.next(command).map((step, i) => `${i + 1}. ${step}`).join('\n')],
    ...(alert.recordIds.length > 0 ? [['Records concerned (ids)', idsLine(alert.recordIds.map(flat))]] : []),
    [
      'Details',
      [`Account: ${account}`, `Urgency: ${alert.severity}`, `Raised: ${flat(alert.at)}`, ...(alert.runId ? [`Run: ${flat(alert.runId)}`] : []), `Summary: ${flat(alert.summary)}`].join('\n'),
    ],
  ];
  const footer = 'You are emailed once about each problem. While it stays the same you are not emailed again; if it is fixed and comes back, you are.';
  const text = `${sections.map(([title, body]) => `${title}\n${body}`).join('\n\n')}\n\n${footer}\n`;
  return { subject, text };
}
