/**
 * Lookups fetched lazily and cached for one run (`docs/architecture.md#few-requests`): the business's time zone, the
 * tax-rate check, Tradify staff and practitioner → user emails. A run that needs none of them
 * (nothing changed) makes none of these requests.
 *
 * @module
 */
import type { ClinikoSourceClient } from './streams/source.js';
import type { TradifyListOptions, TradifyPort, TradifyUnreadableRow } from '../tradify/port.js';
import { ownersOn } from '../tradify/capabilities.js';
import { collect } from '../tradify/pagination.js';
import type { Clock } from '../core/clock.js';
import { isConfigError } from '../core/errors.js';
import { createMappingContext, type MappingContext } from '../mapping/context.js';
import { checkTaxTable, type ResolvedTaxTable } from '../mapping/tax.js';
import { buildOwnerDirectory, type OwnerDirectory } from '../mapping/owner.js';
import type { ResolvedMappingConfig } from '../mapping/config.js';

/** What the lookups read from. */
export interface LookupsInit {
  cliniko: ClinikoSourceClient;
  tradify: TradifyPort;
  mapping: ResolvedMappingConfig;
  clock: Clock;
  timeZone: string;
  accountId: string;
  signal: AbortSignal | undefined;
  /** Told of each staff or tax-rate row that fails its schema (the row is then left out). */
  onUnreadable?: TradifyListOptions['onUnreadable'];
}

/** One run's lazily loaded lookups. */
export class Lookups {
  readonly #init: LookupsInit;
  #business: Promise<{ time_zone_identifier: string | null } | null> | undefined;
  #taxTable: Promise<ResolvedTaxTable> | undefined;
  #owners: Promise<OwnerDirectory> | undefined;

  constructor(init: LookupsInit) {
    this.#init = init;
  }

  /** The mapping context at the clock's current instant, with the business's zone. */
  async context(): Promise<MappingContext> {
    const business = await this.#loadBusiness();
    return createMappingContext({
      timeZone: this.#init.timeZone,
      business,
      now: this.#init.clock.now(),
      accountId: this.#init.accountId,
      capabilities: this.#init.tradify.capabilities,
    });
  }

  /**
   * The tax table checked against Tradify's rates (a `ConfigError` when ambiguous). When a rate
   * could not be read and the table does not check without it, the table resolves no rate, so
   * every taxed line waits (the unreadable rate may be the one the table names).
   */
  taxTable(): Promise<ResolvedTaxTable> {
    this.#taxTable ??= this.#loadTaxTable();
    return this.#taxTable;
  }

  async #loadTaxTable(): Promise<ResolvedTaxTable> {
    const report = this.#init.onUnreadable;
    let unreadable = false;
    const onUnreadable =
      report === undefined
        ? undefined
        : (row: TradifyUnreadableRow): void => {
            unreadable = true;
            report(row);
          };
    const rates = await collect(this.#init.tradify.taxRates.list({ signal: this.#init.signal, onUnreadable }));
    try {
      return checkTaxTable(rates, this.#init.mapping);
    } catch (error) {
      if (!unreadable || !isConfigError(error)) throw error;
      return checkTaxTable([], { taxTable: [] });
    }
  }

  /** Practitioner → user → email → Tradify staff, for invoice owners. */
  owners(): Promise<OwnerDirectory> {
    this.#owners ??= this.#loadOwners();
    return this.#owners;
  }

  #loadBusiness(): Promise<{ time_zone_identifier: string | null } | null> {
    this.#business ??= (async () => {
      for await (const business of this.#init.cliniko.businesses.list({ perPage: 100, signal: this.#init.signal })) {
        if (business.time_zone_identifier) return business;
      }
      return null;
    })();
    return this.#business;
  }

  async #loadOwners(): Promise<OwnerDirectory> {
    const signal = this.#init.signal;
    const { cliniko, tradify } = this.#init;
    if (!ownersOn(tradify.capabilities, 'invoices')) return buildOwnerDirectory({ practitioners: [], users: [], staff: [] });
    const [active, inactive, users, staff] = await Promise.all([
      cliniko.practitioners.list({ perPage: 100, signal }).toArray(),
      cliniko.practitioners.listInactive({ perPage: 100, signal }).toArray(),
      cliniko.users.list({ perPage: 100, signal }).toArray(),
      collect(tradify.staff.list({ signal, onUnreadable: this.#init.onUnreadable })),
    ]);
    return buildOwnerDirectory({ practitioners: [...active, ...inactive], users, staff });
  }
}
