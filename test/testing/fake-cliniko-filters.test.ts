import { describe, expect, it } from 'vitest';
import { FILTER_WHITELISTS, type FilterWhitelist } from 'cliniko-tradify/testing';
import { parseFilters } from '../../src/testing/fake-cliniko/filters.js';
import { compareIdsShorterFirst } from '../../src/core/ids.js';
import { parsePage, parseSort } from '../../src/testing/fake-cliniko/listing.js';

const patient = {
  id: '1390710863102485699', first_name: 'Siobhán', last_name: "O'Brien-Jackson", email: 'a@example.com', preferred_first_name: null,
  date_of_birth: '1988-05-14', updated_at: '2024-04-03T01:40:11Z', created_at: '2024-04-02T19:12:05Z', archived_at: null,
  accepted_privacy_policy: true, old_reference_id: '',
};

function matches(filter: string, row: object = patient, whitelist: FilterWhitelist = FILTER_WHITELISTS.patients): boolean {
  const parsed = parseFilters([filter], whitelist);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.filters.every((f) => f.test(row));
}

function refusal(filter: string, whitelist: FilterWhitelist = FILTER_WHITELISTS.patients): string | undefined {
  const parsed = parseFilters([filter], whitelist);
  return parsed.ok ? undefined : parsed.message;
}

describe('filter grammar', () => {
  it('matches the longest operator first', () => {
    expect(matches('preferred_first_name:!?')).toBe(true);
    expect(matches('preferred_first_name:?')).toBe(false);
    expect(matches('first_name:!=Siobhán')).toBe(false);
    expect(matches('first_name:=Siobhán')).toBe(true);
    expect(matches('last_name:~~o%jack%')).toBe(true);
    expect(matches('last_name:~~jack%')).toBe(false);
    expect(matches('last_name:~BRIEN')).toBe(true);
    expect(matches('first_name:=siobhán')).toBe(false);
    expect(matches('created_at:>=2024-04-02T19:12:05Z')).toBe(true);
    expect(matches('created_at:>2024-04-02T19:12:05Z')).toBe(false);
    expect(matches('updated_at:<=2024-04-03T01:40:11Z')).toBe(true);
    expect(matches('updated_at:<2024-04-03T01:40:11Z')).toBe(false);
  });

  it('compares 19-digit ids exactly, with comma lists on =', () => {
    expect(matches('id:=1390710863102485699')).toBe(true);
    expect(matches('id:=1390710863102485698')).toBe(false);
    expect(matches('id:=1,1390710863102485699,3')).toBe(true);
    expect(matches('id:>1390710863102485698')).toBe(true);
    expect(matches('id:<999999999999999999')).toBe(false);
    expect(matches('id:!=1390710863102485700')).toBe(true);
  });

  it('handles dates with * wildcards and no DateTime =', () => {
    expect(matches('date_of_birth:=****-05-**')).toBe(true);
    expect(matches('date_of_birth:=****-06-**')).toBe(false);
    expect(matches('date_of_birth:>1988-05-13')).toBe(true);
    expect(refusal('updated_at:=2024-04-03T01:40:11Z')).toBe('Invalid filter operator for updated_at.');
    expect(refusal('date_of_birth:*')).toBe('Invalid filter operator for date_of_birth.');
    expect(matches('archived_at:*')).toBe(true);
    expect(matches('archived_at:?')).toBe(false);
  });

  it('reads fractional and offset DateTime bounds against whole-second rows', () => {
    expect(matches('updated_at:>2024-04-03T01:40:10.5Z')).toBe(true);
    expect(matches('updated_at:>2024-04-03T01:40:11.5Z')).toBe(false);
    expect(matches('updated_at:<2024-04-03T01:40:11.5Z')).toBe(true);
    expect(matches('updated_at:>=2024-04-03T11:40:11+10:00')).toBe(true);
    expect(matches('updated_at:>2024-04-03T11:40:11+10:00')).toBe(false);
  });

  it('validates values and fields per endpoint', () => {
    expect(refusal('status:=open', FILTER_WHITELISTS.invoices)).toBe('Filter value for status must be a number');
    expect(refusal('id:>1,2')).toBe('Filter value for id must be a number');
    expect(refusal('accepted_privacy_policy:=yes')).toBe('Filter value for accepted_privacy_policy must be true or false');
    expect(refusal('phone:=0412')).toBe('This column is not searchable.');
    expect(refusal('email:=a@b.co', FILTER_WHITELISTS.users)).toBe('This column is not searchable.');
    expect(refusal('updated_at:>2024-01-01T00:00:00Z', FILTER_WHITELISTS.patient)).toBe('This column is not searchable.');
    expect(refusal('deleted_at:*', FILTER_WHITELISTS.invoice)).toBeUndefined();
    expect(refusal('appointment_type_ids:~5', FILTER_WHITELISTS.businesses)).toBeUndefined();
    expect(refusal('updated_at>2024')).toBe('Invalid filter format.');
    expect(refusal('archived_at:?now')).toBe('Invalid filter value for archived_at.');
    expect(refusal('created_at:>yesterday')).toBe('Invalid filter value for created_at.');
  });

  it('tests arrays with ~ and booleans with = and !=', () => {
    const business = { appointment_type_ids: ['11', '22'], show_in_online_bookings: false };
    expect(matches('appointment_type_ids:~22', business, FILTER_WHITELISTS.businesses)).toBe(true);
    expect(matches('appointment_type_ids:~2', business, FILTER_WHITELISTS.businesses)).toBe(false);
    expect(matches('show_in_online_bookings:!=true', business, FILTER_WHITELISTS.businesses)).toBe(true);
  });
});

describe('ordering and paging helpers', () => {
  it('orders canonical ids as BigInt does', () => {
    const ids = ['9007199254740993', '999999999999999999', '1000000000000000001', '9007199254740992', '1390710863102485699'];
    const expected = [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
    expect([...ids].sort(compareIdsShorterFirst)).toEqual(expected);
    expect([...ids].sort()).not.toEqual(expected);
  });

  it('parses sort columns with per-column direction, order, and refuses unknown columns without echoing them', () => {
    expect(parseSort('updated_at,id:desc', null, FILTER_WHITELISTS.patients)).toEqual([
      { field: 'updated_at', descending: false }, { field: 'id', descending: true },
    ]);
    expect(parseSort(null, 'desc', FILTER_WHITELISTS.patients)).toEqual([{ field: 'created_at', descending: true }, { field: 'id', descending: false }]);
    expect(parseSort('secret@example.com', null, FILTER_WHITELISTS.patients)).toBe('Invalid sort column.');
  });

  it('defaults page 1 and per_page 50, clamps to 1–100 or refuses above 100', () => {
    expect(parsePage(null, null, 'clamp')).toEqual({ page: 1, perPage: 50 });
    expect(parsePage('3', '500', 'clamp')).toEqual({ page: 3, perPage: 100 });
    expect(parsePage('1', '0', 'clamp')).toEqual({ page: 1, perPage: 1 });
    expect(parsePage('1', '101', 'error')).toBe('per_page must be less than or equal to 100.');
    expect(parsePage('0', null, 'clamp')).toBe('Invalid page.');
  });
});
