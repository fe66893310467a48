/**
 * `cliniko.practitioners`: read-only; active ones at `/practitioners`, inactive ones at
 * `/practitioners/inactive`.
 *
 * @module
 */
import type { ClinikoList } from './listing.js';
import { clinikoPractitionerSchema, type ClinikoPractitioner } from './schemas/practitioner.js';
import { assertClinikoId, type ClinikoTransport, type ListParams, type RequestOptions } from './transport.js';

/** Options of `practitioners.list()`. */
export interface PractitionerListParams extends ListParams<'practitioners'> {
  /** Also list inactive practitioners (a second listing of `/practitioners/inactive`). @defaultValue false */
  includeInactive?: boolean | undefined;
}

/** The practitioners resource. Reach it as `cliniko.practitioners`. */
export class Practitioners {
  readonly #t: ClinikoTransport;

  /** @internal */
  constructor(transport: ClinikoTransport) {
    this.#t = transport;
  }

  /** List active practitioners, then inactive ones when asked. */
  list(params?: PractitionerListParams): ClinikoList<ClinikoPractitioner> {
    const query = this.#t.listQuery('practitioners', params, []);
    const starts = [{ path: '/practitioners', query }, ...(params?.includeInactive ? [{ path: '/practitioners/inactive', query }] : [])];
    return this.#t.list('practitioners', clinikoPractitionerSchema, starts, params);
  }

  /** List inactive practitioners only. */
  listInactive(params?: ListParams<'practitioners'>): ClinikoList<ClinikoPractitioner> {
    const query = this.#t.listQuery('practitioners', params, []);
    return this.#t.list('practitioners', clinikoPractitionerSchema, [{ path: '/practitioners/inactive', query }], params);
  }

  /** Fetch one practitioner. @throws {@link NotFoundError} */
  retrieve(id: string, options?: RequestOptions): Promise<ClinikoPractitioner> {
    return this.#t.get(`/practitioners/${assertClinikoId(id)}`, clinikoPractitionerSchema, [], options);
  }
}
