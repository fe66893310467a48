/**
 * A create's answer is trusted only when it is the record asked for: it must echo what the
 * request said about itself (the `externalReference` of a customer or an invoice; the invoice
 * and the `reference` of a payment). An answer carrying another record's values — a confused
 * gateway, a replayed idempotency key — is refused before anything is linked to it.
 *
 * @module
 */
import { MismatchedResponseError } from '../core/errors.js';

/**
 * Throws when the request sent `sent` and the answer does not carry it back (a different value
 * or none). Nothing to check when the request sent no value.
 *
 * @throws MismatchedResponseError naming the resource, the field and the answered id.
 */
export function requireEcho(
  resource: 'customers' | 'invoices' | 'payments',
  field: string,
  sent: string | null | undefined,
  answer: { id: string; echoed: string | null | undefined },
): void {
  if (sent === null || sent === undefined || answer.echoed === sent) return;
  throw new MismatchedResponseError({ resource, field, answeredId: answer.id });
}
