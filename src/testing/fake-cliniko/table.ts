/**
 * One in-memory table of the fake Cliniko: rows in insertion order, an id index and a
 * version that changes on every write (it keys the sorted-view cache).
 *
 * @module
 */
import { ClinikoTradifyError } from '../../core/errors.js';
import { compareIdsShorterFirst } from '../../core/ids.js';

/** The fields every stored row has. */
export interface BaseRow {
  id: string;
  created_at: string;
  updated_at: string;
}

/** A table of rows keyed by id. */
export class FakeTable<Row extends BaseRow> {
  /** Changes on every insert or update. */
  version = 0;
  private readonly rows: Row[];
  private readonly byId = new Map<string, Row>();
  private largestId: string | undefined;

  constructor(
    /** The singular name used in error messages, e.g. `patient`. */
    readonly singular: string,
    rows: readonly Row[],
  ) {
    this.rows = [...rows];
    for (const row of this.rows) this.index(row);
  }

  /** The row with this id, or undefined. */
  find(id: string): Row | undefined {
    return this.byId.get(id);
  }

  /**
   * The row with this id.
   *
   * @throws ClinikoTradifyError (`not_found`) when there is none
   */
  get(id: string): Row {
    const row = this.byId.get(id);
    if (!row) throw new ClinikoTradifyError('not_found', `The fake Cliniko has no ${this.singular} ${id}.`);
    return row;
  }

  /** Every row, archived and deleted included, in insertion order (do not mutate). */
  all(): readonly Row[] {
    return this.rows;
  }

  /** How many rows are stored. */
  get size(): number {
    return this.rows.length;
  }

  /** The largest id stored, for minting the next one. */
  get lastId(): string | undefined {
    return this.largestId;
  }

  /** Adds a row. */
  insert(row: Row): Row {
    if (this.byId.has(row.id)) throw new ClinikoTradifyError('state_conflict', `The fake Cliniko already has ${this.singular} ${row.id}.`);
    this.rows.push(row);
    this.index(row);
    this.version += 1;
    return row;
  }

  /** Merges `patch` into the row and returns it. */
  update(id: string, patch: Partial<Row>): Row {
    const row = this.get(id);
    Object.assign(row, patch, { id });
    this.version += 1;
    return row;
  }

  private index(row: Row): void {
    this.byId.set(row.id, row);
    if (this.largestId === undefined || compareIdsShorterFirst(row.id, this.largestId) > 0) this.largestId = row.id;
  }
}
