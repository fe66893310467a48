/**
 * Addresses: Cliniko's `address_1..3`, `city`, `state`, `post_code`, `country_code`/`country`
 * → a Tradify address, with state names normalised to abbreviations; and the reverse
 * single-line rendering used in reports.
 *
 * @module
 */

import type { ClinikoPatient } from '../cliniko/schemas/patient.js';
import type { TradifyAddress } from '../tradify/port.js';
import { tidySpaces } from './names.js';

const AU_STATES: Readonly<Record<string, string>> = {
  'new south wales': 'NSW',
  nsw: 'NSW',
  victoria: 'VIC',
  vic: 'VIC',
  queensland: 'QLD',
  qld: 'QLD',
  'south australia': 'SA',
  sa: 'SA',
  'western australia': 'WA',
  wa: 'WA',
  tasmania: 'TAS',
  tas: 'TAS',
  'northern territory': 'NT',
  nt: 'NT',
  'australian capital territory': 'ACT',
  act: 'ACT',
  'jervis bay territory': 'JBT',
  jbt: 'JBT',
};

const NZ_REGIONS: Readonly<Record<string, string>> = {
  auckland: 'AUK',
  'bay of plenty': 'BOP',
  canterbury: 'CAN',
  gisborne: 'GIS',
  "hawke's bay": 'HKB',
  'manawatu-wanganui': 'MWT',
  'manawatū-whanganui': 'MWT',
  marlborough: 'MBH',
  nelson: 'NSN',
  northland: 'NTL',
  otago: 'OTA',
  southland: 'STL',
  taranaki: 'TKI',
  tasman: 'TAS',
  waikato: 'WKO',
  wellington: 'WGN',
  'west coast': 'WTC',
};

const COUNTRIES: Readonly<Record<string, string>> = {
  australia: 'AU',
  'new zealand': 'NZ',
  'aotearoa new zealand': 'NZ',
  'united kingdom': 'GB',
  uk: 'GB',
  'united states': 'US',
  'united states of america': 'US',
  usa: 'US',
  canada: 'CA',
  ireland: 'IE',
  singapore: 'SG',
  'south africa': 'ZA',
  fiji: 'FJ',
  'papua new guinea': 'PG',
};

const STATE_NAMES: Readonly<Record<string, string>> = {
  NSW: 'New South Wales',
  VIC: 'Victoria',
  QLD: 'Queensland',
  SA: 'South Australia',
  WA: 'Western Australia',
  TAS: 'Tasmania',
  NT: 'Northern Territory',
  ACT: 'Australian Capital Territory',
  JBT: 'Jervis Bay Territory',
};

/** The result of normalising a state. */
export interface NormalisedState {
  /** The abbreviation (`'VIC'`), or the text as given when it is not recognised. */
  state: string | null;
  /** True when text was given but is not a known state for the country. */
  unrecognised: boolean;
}

/** An own entry of a table (never an `Object.prototype` member such as `constructor`). */
function own(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function lookupKey(text: string): string {
  return text.toLowerCase().replace(/\./g, '').replace(/\s+/g, ' ').trim();
}

/**
 * A country's ISO 3166-1 alpha-2 code from `country_code`, else from the `country` name.
 * Returns `null` when neither is given; an unknown name gives `undefined`.
 */
export function countryCode(code: string | null | undefined, name: string | null | undefined): string | null | undefined {
  const c = tidySpaces(code).toUpperCase();
  if (/^[A-Z]{2}$/.test(c)) return c;
  const n = tidySpaces(name);
  if (n === '') return c === '' ? null : undefined;
  if (/^[A-Za-z]{2}$/.test(n)) return n.toUpperCase();
  return own(COUNTRIES, lookupKey(n));
}

/**
 * A state or territory as its abbreviation: `'Victoria'` → `'VIC'`, `'n.s.w.'` → `'NSW'`. Only
 * Australian states (and New Zealand regions) are known; other text is kept as given and
 * marked unrecognised when the country is AU or NZ.
 *
 * @example
 * ```ts
 * normaliseState('Victoria', 'AU'); // { state: 'VIC', unrecognised: false }
 * ```
 */
export function normaliseState(state: string | null | undefined, country: string | null | undefined): NormalisedState {
  const text = tidySpaces(state);
  if (text === '') return { state: null, unrecognised: false };
  const key = lookupKey(text);
  const table = country === 'NZ' ? NZ_REGIONS : AU_STATES;
  const known = own(table, key) ?? (country === 'NZ' ? undefined : own(AU_STATES, key));
  if (known) return { state: known, unrecognised: false };
  const checked = country === 'AU' || country === 'NZ' || country === null || country === undefined;
  return { state: text, unrecognised: checked };
}

/** What {@link mapAddress} returns. */
export interface MappedAddress {
  address: TradifyAddress | null;
  stateUnrecognised: boolean;
  countryUnrecognised: boolean;
}

/** The patient fields an address is built from. */
export type AddressFields = Pick<ClinikoPatient, 'address_1' | 'address_2' | 'address_3' | 'city' | 'state' | 'post_code' | 'country' | 'country_code'>;

/**
 * Cliniko address fields → a Tradify address: `address_1` as line 1, `address_2` and
 * `address_3` joined with ", " as line 2. `null` when every field is empty.
 */
export function mapAddress(fields: AddressFields): MappedAddress {
  const code = countryCode(fields.country_code, fields.country);
  const { state, unrecognised } = normaliseState(fields.state, code ?? undefined);
  const line2 = [fields.address_2, fields.address_3].map(tidySpaces).filter((s) => s !== '').join(', ');
  const address: TradifyAddress = {
    line1: tidySpaces(fields.address_1) || null,
    line2: line2 || null,
    suburb: tidySpaces(fields.city) || null,
    state,
    postcode: tidySpaces(fields.post_code) || null,
    country: code ?? null,
  };
  const empty = Object.values(address).every((v) => v === null);
  return { address: empty ? null : address, stateUnrecognised: unrecognised, countryUnrecognised: code === undefined };
}

/**
 * One line for reports: `'1 Example St, Unit 2, Fitzroy VIC 3065, AU'`. Empty parts are left
 * out; `'AU'` is left out when `omitCountry` names it.
 *
 * @example
 * ```ts
 * formatAddressLine({ line1: '1 Example St', line2: null, suburb: 'Melbourne', state: 'VIC', postcode: '3000', country: 'AU' }, { omitCountry: 'AU' });
 * // '1 Example St, Melbourne VIC 3000'
 * ```
 */
export function formatAddressLine(address: TradifyAddress | null | undefined, options: { omitCountry?: string; stateNames?: boolean } = {}): string {
  if (!address) return '';
  const state = address.state && options.stateNames ? (own(STATE_NAMES, address.state) ?? address.state) : address.state;
  const locality = [address.suburb, state, address.postcode].map(tidySpaces).filter((s) => s !== '').join(' ');
  const country = address.country && address.country !== options.omitCountry ? address.country : null;
  return [address.line1, address.line2, locality, country].map(tidySpaces).filter((s) => s !== '').join(', ');
}
