/**
 * Text renderings of an alert shared by the alerters. An alert carries ids and counts only, so
 * these never print patient details.
 *
 * @module
 */
import type { Alert } from '../sync/ports.js';

/** How many record ids an alert line shows before "+N more". */
export const MAX_IDS_SHOWN = 10;

function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

function idsText(ids: readonly string[]): string {
  if (ids.length === 0) return '';
  const shown = ids.slice(0, MAX_IDS_SHOWN).join(',');
  return ids.length > MAX_IDS_SHOWN ? `${shown} +${ids.length - MAX_IDS_SHOWN} more` : shown;
}

/**
 * One line: `[critical] outage (account default): Tradify down beyond the retry budget | failed=3 | ids: 1,2`.
 */
export function alertLine(alert: Alert): string {
  const parts = [`[${alert.severity}] ${alert.kind} (account ${alert.accountId}): ${alert.summary}`];
  const counts = countsText(alert.counts);
  if (counts) parts.push(counts);
  const ids = idsText(alert.recordIds);
  if (ids) parts.push(`ids: ${ids}`);
  return parts.join(' | ');
}
