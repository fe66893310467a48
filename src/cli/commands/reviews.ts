/**
 * `cliniko-tradify reviews list|resolve`.
 *
 * @module
 */
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import type { Review } from '../../sync/ports.js';
import { countOpenWork, needsAttention } from '../attention.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { table } from '../output.js';
import type { Bind } from '../bind.js';

/** Lists reviews (ids, kinds, reason codes). */
export async function listAction(ctx: CommandContext, options: { status?: string }): Promise<number> {
  const status = options.status ?? 'open';
  if (status !== 'open' && status !== 'resolved') throw new ConfigError('--status', '--status must be open or resolved.');
  const store = await ctx.store();
  const { accountId } = await ctx.config();
  const reviews: Review[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.reviews.list(accountId, { status, limit: 500, cursor, signal: ctx.signal });
    reviews.push(...page.items);
    cursor = page.next;
  } while (cursor !== undefined);
  ctx.out.line(`${reviews.length} ${status} review(s)`);
  const rows = [['id', 'kind', 'record', 'reason', 'opened'], ...reviews.map((r) => [r.id, r.kind, r.recordId, r.reasonCode, new Date(r.createdAt).toISOString()])];
  if (reviews.length > 0) for (const line of table(rows)) ctx.out.line(`  ${line}`);
  ctx.out.document({ command: 'reviews list', exitCode: EXIT.ok, reviews });
  return EXIT.ok;
}

/** Resolves one review. */
export async function resolveAction(ctx: CommandContext, id: string, resolution: string): Promise<number> {
  const { engine, store, config } = await ctx.runtime();
  const review = await engine.reviews.resolve(id, resolution, { signal: ctx.signal });
  const open = await countOpenWork(store, config.accountId);
  const exitCode = needsAttention(open) ? EXIT.attention : EXIT.ok;
  ctx.out.line(`review ${review.id} (${review.kind} ${review.recordId}) resolved: ${resolution}`);
  ctx.out.document({ command: 'reviews resolve', exitCode, review, open });
  return exitCode;
}

/** Registers `reviews`. */
export function registerReviews(program: Command, bind: Bind): void {
  const group = program
    .command('reviews')
    .description('Decisions a person must take (e.g. a paid invoice closed in Cliniko): list or resolve them.')
    .addHelpText('after', `
Resolutions: reissue (invoices: new draft, cancel the old, approve the new) · retry (sync again
from Cliniko) · dismiss (close, change nothing).

Examples:
  $ cliniko-tradify reviews list
  $ cliniko-tradify reviews resolve <id> reissue
  $ cliniko-tradify reviews resolve <id> dismiss`);
  group
    .command('list')
    .option('--status <status>', 'open or resolved', 'open')
    .description('List reviews.')
    .addHelpText('after', '\nExample:\n  $ cliniko-tradify reviews list --json')
    .action(bind('reviews list', listAction));
  group
    .command('resolve')
    .argument('<id>', 'the review id')
    .argument('<resolution>', 'reissue, retry or dismiss')
    .description('Record the decision and act on it.')
    .addHelpText('after', '\nExample:\n  $ cliniko-tradify reviews resolve 7 retry')
    .action(bind('reviews resolve', resolveAction));
}
