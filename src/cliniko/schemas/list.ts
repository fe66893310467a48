/**
 * The list envelope every Cliniko list endpoint returns:
 * `{ <plural>: [...], total_entries, links: { self, next?, previous? } }`.
 * Records are validated one by one afterwards, so one bad record does not hide the others.
 *
 * @module
 */
import { z } from 'zod';

/** The envelope of a list response with the records still unvalidated. */
export interface ClinikoListEnvelope {
  /** The raw records under the resource's plural key. */
  rows: unknown[];
  /** `total_entries`, or `null` when absent. */
  totalEntries: number | null;
  /** The absolute `links.next` URL, or `null` on the last page. */
  next: string | null;
}

/** Build the envelope schema for a resource key such as `'patients'`. */
const envelopeMetaSchema = z.looseObject({
  total_entries: z.union([z.number(), z.string().regex(/^\d+$/)]).nullish(),
  links: z.looseObject({ next: z.string().nullish() }).nullish(),
});

/**
 * Build the envelope schema for a resource key such as `'patients'`. The rows are only
 * checked to be an array here (no deep copy or merge): each is validated on its own later.
 */
export function clinikoListEnvelopeSchema(key: string): z.ZodType<ClinikoListEnvelope> {
  return envelopeMetaSchema.transform((v, ctx): ClinikoListEnvelope => {
    const rows = (v as Record<string, unknown>)[key];
    if (!Array.isArray(rows)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `expected an array under '${key}'` });
      return z.NEVER;
    }
    return {
      rows: rows as unknown[],
      totalEntries: v.total_entries === undefined || v.total_entries === null ? null : Number(v.total_entries),
      next: typeof v.links?.next === 'string' && v.links.next !== '' ? v.links.next : null,
    };
  }) as unknown as z.ZodType<ClinikoListEnvelope>;
}
