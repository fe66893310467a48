/**
 * `cliniko.patients`: list, retrieve (archived too), retrieve many by id, create, update
 * (PATCH), archive, unarchive, and the keyset `changes()` reader.
 *
 * @module
 */
import type { ChangesOptions, KeysetPage } from './keyset.js';
import type { ClinikoList } from './listing.js';
import { toClinikoTimestamp } from './filters.js';
import { clinikoPatientSchema, type ClinikoPatient } from './schemas/patient.js';
import { IDS_PER_REQUEST, assertClinikoId, chunk, type ClinikoTransport, type ListParams, type RequestOptions } from './transport.js';

/** Options of `patients.list()`. */
export interface PatientListParams extends ListParams<'patients'> {
  /** Only patients with `updated_at >= updatedSince`. */
  updatedSince?: Date | string | undefined;
  /**
   * Include archived (and merged) patients, which Cliniko leaves out by default (`q[]=archived_at:*`).
   * @defaultValue false
   */
  includeArchived?: boolean | undefined;
}

/** Options of `patients.retrieve()`. */
export interface PatientRetrieveOptions extends RequestOptions {
  /**
   * Also find an archived patient (Cliniko answers 404 for one without `q[]=archived_at:*`).
   * @defaultValue false
   */
  includeArchived?: boolean | undefined;
}

/** Fields accepted by `patients.create()` (snake_case, as Cliniko takes them). */
export interface PatientCreateParams {
  first_name: string;
  last_name: string;
  [field: string]: unknown;
}

/** Fields accepted by `patients.update()`. */
export type PatientUpdateParams = Partial<PatientCreateParams>;

const ARCHIVED = 'archived_at:*';

/** The patients resource. Reach it as `cliniko.patients`. */
export class Patients {
  readonly #t: ClinikoTransport;

  /** @internal */
  constructor(transport: ClinikoTransport) {
    this.#t = transport;
  }

  /**
   * List patients, following `links.next`.
   *
   * @throws {@link ConfigError} for a filter Cliniko cannot apply.
   * @example
   * ```ts
   * for await (const p of cliniko.patients.list({ updatedSince: new Date('2026-01-01'), includeArchived: true })) {}
   * ```
   */
  list(params?: PatientListParams): ClinikoList<ClinikoPatient> {
    const extra = [
      ...(params?.updatedSince !== undefined ? [`updated_at:>=${toClinikoTimestamp(params.updatedSince, 'updatedSince')}`] : []),
      ...(params?.includeArchived ? [ARCHIVED] : []),
    ];
    return this.#t.list('patients', clinikoPatientSchema, [{ path: '/patients', query: this.#t.listQuery('patients', params, extra) }], params);
  }

  /**
   * Fetch one patient.
   *
   * @throws {@link NotFoundError} when there is none (or it is archived and `includeArchived` is off).
   */
  retrieve(id: string, options?: PatientRetrieveOptions): Promise<ClinikoPatient> {
    const query = options?.includeArchived ? [['q[]', ARCHIVED] as const] : [];
    return this.#t.get(`/patients/${assertClinikoId(id)}`, clinikoPatientSchema, query, options);
  }

  /**
   * Fetch many patients by id with `q[]=id:=a,b,…` (100 ids a request), never one GET each.
   * Missing ids are simply absent from the result.
   */
  async retrieveMany(ids: readonly string[], options?: PatientRetrieveOptions): Promise<ClinikoPatient[]> {
    const starts = chunk([...new Set(ids.map((id) => assertClinikoId(id, 'ids')))], IDS_PER_REQUEST).map((batch) => ({
      path: '/patients',
      query: this.#t.listQuery('patients', undefined, [`id:=${batch.join(',')}`, ...(options?.includeArchived ? [ARCHIVED] : [])]),
    }));
    return this.#t.list('patients', clinikoPatientSchema, starts, options).toArray();
  }

  /**
   * Create a patient (201).
   *
   * @throws {@link UnprocessableEntityError} with Cliniko's field → message map.
   */
  create(input: PatientCreateParams, options?: RequestOptions): Promise<ClinikoPatient> {
    return this.#t.write('POST', '/patients', input, clinikoPatientSchema, options);
  }

  /** Update a patient with PATCH (only the fields given). */
  update(id: string, patch: PatientUpdateParams, options?: RequestOptions): Promise<ClinikoPatient> {
    return this.#t.write('PATCH', `/patients/${assertClinikoId(id)}`, patch, clinikoPatientSchema, options);
  }

  /** Archive a patient (Cliniko answers 204 with no body). */
  async archive(id: string, options?: RequestOptions): Promise<void> {
    await this.#t.write('POST', `/patients/${assertClinikoId(id)}/archive`, {}, undefined, options);
  }

  /** Unarchive a patient; returns it. */
  unarchive(id: string, options?: RequestOptions): Promise<ClinikoPatient> {
    return this.#t.write('POST', `/patients/${assertClinikoId(id)}/unarchive`, {}, clinikoPatientSchema, options);
  }

  /**
   * Keyset scan of changed patients, archived ones included (see `keyset.ts`).
   *
   * @example
   * ```ts
   * // The engine's loop: persist page.position with the page's work; never save a cursor past serverTime.
   * for await (const page of cliniko.patients.changes({ since: cursor.updatedAt, afterId: cursor.afterId, signal })) {
   *   await applyAndCommit(page.records, page.rejected, minPosition(page.position, page.serverTime));
   * }
   * ```
   */
  changes(options: ChangesOptions): AsyncGenerator<KeysetPage<ClinikoPatient>, void, undefined> {
    return this.#t.changes('/patients', 'patients', clinikoPatientSchema, [ARCHIVED], options);
  }
}
