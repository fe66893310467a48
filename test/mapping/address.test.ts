import { describe, expect, it } from 'vitest';
import { countryCode, formatAddressLine, mapAddress, normaliseState } from '../../src/mapping/address.js';
import { cutToLength, patientFullName } from '../../src/mapping/names.js';

describe('states and countries', () => {
  it.each([
    ['Victoria', 'AU', 'VIC'],
    ['new south wales', 'AU', 'NSW'],
    ['N.S.W.', 'AU', 'NSW'],
    ['  Queensland ', 'AU', 'QLD'],
    ['South Australia', 'AU', 'SA'],
    ['Western  Australia', 'AU', 'WA'],
    ['Tasmania', 'AU', 'TAS'],
    ['Northern Territory', 'AU', 'NT'],
    ['Australian Capital Territory', 'AU', 'ACT'],
    ['vic', null, 'VIC'],
    ['Canterbury', 'NZ', 'CAN'],
  ])('%j (%s) → %s', (state, country, expected) => {
    expect(normaliseState(state, country)).toEqual({ state: expected, unrecognised: false });
  });

  it('keeps unknown text as given and marks it only for AU/NZ', () => {
    expect(normaliseState('Narnia', 'AU')).toEqual({ state: 'Narnia', unrecognised: true });
    expect(normaliseState('UT', 'US')).toEqual({ state: 'UT', unrecognised: false });
    expect(normaliseState('', 'AU')).toEqual({ state: null, unrecognised: false });
  });

  it('never reads Object.prototype members as table entries', () => {
    expect(normaliseState('constructor', 'AU')).toEqual({ state: 'constructor', unrecognised: true });
    expect(countryCode(null, 'constructor')).toBeUndefined();
    expect(formatAddressLine({ line1: null, line2: null, suburb: null, state: 'toString', postcode: null, country: null }, { stateNames: true })).toBe('toString');
  });

  it('prefers country_code, else reads the country name', () => {
    expect(countryCode('au', 'New Zealand')).toBe('AU');
    expect(countryCode(null, 'New Zealand')).toBe('NZ');
    expect(countryCode('', 'United Kingdom')).toBe('GB');
    expect(countryCode(null, null)).toBeNull();
    expect(countryCode(null, 'Atlantis')).toBeUndefined();
  });

  it('reports an unknown country and leaves it empty', () => {
    const m = mapAddress({ address_1: 'x', address_2: null, address_3: null, city: null, state: null, post_code: null, country: 'Atlantis', country_code: null });
    expect(m.countryUnrecognised).toBe(true);
    expect(m.address?.country).toBeNull();
  });
});

describe('single-line rendering for reports', () => {
  const address = { line1: '1 Example St', line2: 'Unit 4, Rear', suburb: 'Fitzroy', state: 'VIC', postcode: '3065', country: 'AU' };
  it('renders the parts in order and skips empty ones', () => {
    expect(formatAddressLine(address)).toBe('1 Example St, Unit 4, Rear, Fitzroy VIC 3065, AU');
    expect(formatAddressLine(address, { omitCountry: 'AU' })).toBe('1 Example St, Unit 4, Rear, Fitzroy VIC 3065');
    expect(formatAddressLine({ ...address, line2: null, state: null }, { omitCountry: 'AU' })).toBe('1 Example St, Fitzroy 3065');
    expect(formatAddressLine(address, { stateNames: true, omitCountry: 'AU' })).toBe('1 Example St, Unit 4, Rear, Fitzroy Victoria 3065');
    expect(formatAddressLine(null)).toBe('');
  });

  it('round-trips: a mapped address renders back to the Cliniko parts', () => {
    const m = mapAddress({ address_1: '1 Example St', address_2: 'Unit 4', address_3: 'Rear', city: 'Fitzroy', state: 'Victoria', post_code: '3065', country: null, country_code: 'AU' });
    expect(formatAddressLine(m.address, { omitCountry: 'AU' })).toBe('1 Example St, Unit 4, Rear, Fitzroy VIC 3065');
  });
});

describe('names', () => {
  it.each([
    ['short', 10, 'short', false],
    ['abcdefghij', 10, 'abcdefghij', false],
    ['abcdefghijk', 10, 'abcdefghij', true],
    ['abcdefghi\u{1F600}', 10, 'abcdefghi', true],
    ['Zoe\u0308 Smith', 4, 'Zoe\u0308', true],
    ['Zoe\u0308 Smith', 3, 'Zo', true],
    ['\u{1F1E6}\u{1F1FA}\u{1F1E6}\u{1F1FA}', 6, '\u{1F1E6}\u{1F1FA}', true],
    ['abc def', 4, 'abc', true],
  ])('cutToLength(%j, %i)', (text, max, expected, cut) => {
    expect(cutToLength(text, max)).toEqual({ text: expected, cut });
  });

  it('tidies spaces in names', () => {
    expect(patientFullName({ first_name: ' Mary  Ann ', last_name: 'Lee', preferred_first_name: null }, 'legal')).toBe('Mary Ann Lee');
    expect(patientFullName({ first_name: 'X', last_name: '', preferred_first_name: null }, 'legal')).toBe('X');
  });
});
