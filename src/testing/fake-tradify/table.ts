/**
 * An in-memory table of the fake Tradify: records in insertion order (the stable sort of
 * every listing), read as deep copies, writable by tests for tampering.
 *
 * @module
 */

interface Row<S> {
  seq: number;
  record: S;
}

/**
 * One resource's records. Reads return deep copies, so an assertion can never change the
 * fake by accident; tests change it on purpose with {@link FakeTable.tamper},
 * {@link FakeTable.insert} and {@link FakeTable.delete}.
 *
 * @typeParam S - the stored shape
 * @typeParam V - the shape as read (invoices add their computed totals)
 * @example
 * ```ts
 * const ft = await startFakeTradify();
 * ft.state.customers.tamper(id, { email: 'changed@example.com', updatedAt: new Date().toISOString() });
 * expect(ft.state.invoices.all().filter((i) => i.status === 'paid')).toHaveLength(1);
 * ```
 */
export class FakeTable<S extends { id: string }, V = S> {
  readonly #rows = new Map<string, Row<S>>();
  readonly #view: (record: S) => V;
  readonly #groupKey: ((record: S) => string) | undefined;
  /** Group key → ids in insertion order, so a lookup by group does not scan every record. */
  readonly #groups = new Map<string, Set<string>>();
  #seq = 0;

  /**
   * @param view - turns a stored record into what readers see (defaults to a deep copy).
   * @param groupKey - a field the fake looks records up by (e.g. a payment's `invoiceId`); it must
   *   not be changed through {@link FakeTable.stored} (tamper keeps it right).
   */
  constructor(view?: (record: S) => V, groupKey?: (record: S) => string) {
    this.#view = view ?? ((record) => structuredClone(record) as unknown as V);
    this.#groupKey = groupKey;
  }

  /** @internal Live rows whose group key is `key`, in insertion order (none for a table built without one). */
  rowsInGroup(key: string): ReadonlyArray<Readonly<Row<S>>> {
    return [...(this.#groups.get(key) ?? [])].map((id) => this.#rows.get(id)!).sort((a, b) => a.seq - b.seq);
  }

  #ungroup(record: S): void {
    if (this.#groupKey) this.#groups.get(this.#groupKey(record))?.delete(record.id);
  }

  #group(record: S): void {
    if (!this.#groupKey) return;
    const key = this.#groupKey(record);
    const ids = this.#groups.get(key) ?? new Set<string>();
    ids.add(record.id);
    this.#groups.set(key, ids);
  }

  /** The record with this id as read, or `undefined`. */
  get(id: string): V | undefined {
    const row = this.#rows.get(id);
    return row ? this.#view(row.record) : undefined;
  }

  /** Every record as read, in insertion order. */
  all(): V[] {
    return [...this.#rows.values()].map((row) => this.#view(row.record));
  }

  /** Whether a record with this id exists. */
  has(id: string): boolean {
    return this.#rows.has(id);
  }

  /** How many records there are. */
  get size(): number {
    return this.#rows.size;
  }

  /** Adds a record as is (no validation); it sorts after every existing record. */
  insert(record: S): V {
    const previous = this.#rows.get(record.id);
    if (previous) this.#ungroup(previous.record);
    const row = { seq: ++this.#seq, record: structuredClone(record) };
    this.#rows.set(record.id, row);
    this.#group(row.record);
    return this.#view(record);
  }

  /**
   * Overwrites fields of a stored record with no validation and no `updatedAt` bump (pass
   * `updatedAt` yourself to simulate an edit made in Tradify).
   *
   * @throws RangeError when the id is unknown
   */
  tamper(id: string, patch: Partial<S>): V {
    const row = this.#rows.get(id);
    if (!row) throw new RangeError(`no record ${id}`);
    this.#ungroup(row.record);
    Object.assign(row.record, structuredClone(patch));
    this.#group(row.record);
    return this.#view(row.record);
  }

  /** Removes a record; `true` when it existed. */
  delete(id: string): boolean {
    const row = this.#rows.get(id);
    if (row) this.#ungroup(row.record);
    return this.#rows.delete(id);
  }

  /** @internal The live stored record (the fake's own handlers write through it). */
  stored(id: string): S | undefined {
    return this.#rows.get(id)?.record;
  }

  /** @internal Live rows with their sequence numbers, in order, for keyset paging. */
  rows(): ReadonlyArray<Readonly<Row<S>>> {
    return [...this.#rows.values()];
  }
}
