import { describe, expect, it } from 'vitest';
import { safeApiCode, safeApiId, safeApiMessage, safeFieldMessage, safeFieldName } from '../../src/core/api-text.js';

describe('the API text allow-list', () => {
  it('keeps known fixed messages, with a number or a column name at most', () => {
    for (const known of ['can’t be blank', "can't be blank", 'This column is not searchable.', 'is too long (maximum is 50 characters)', 'must be greater than or equal to 0', 'recall_at is not filterable', 'Validation Failed']) {
      expect(safeApiMessage(known)).toBe(known);
    }
  });

  it('drops everything else, however harmless it looks', () => {
    for (const echo of ['Rejecta Echoname already exists', "name 'Jane Citizen' taken", 'jane@example.com is not valid', 'phone 0412 345 678 invalid', 'Rejecta is not filterable', 'is too long (maximum is fifty characters)', 'can’t be blank, Rejecta']) {
      expect(safeApiMessage(echo)).toBeUndefined();
    }
    expect(safeApiMessage(42)).toBeUndefined();
  });

  it('keeps snake_case codes, identifier field paths and plain id tokens only', () => {
    expect(['invalid_state', 'duplicate', 'validation_failed', 'required'].map(safeApiCode)).toEqual(['invalid_state', 'duplicate', 'validation_failed', 'required']);
    expect(['Rejecta', 'two words', 'x'.repeat(65), '', 'a__b'].map(safeApiCode)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(['first_name', 'lineItems[0].description', 'Idempotency-Key'].map(safeFieldName)).toEqual(['first_name', 'lineItems[0].description', 'Idempotency-Key']);
    expect(['Rejecta Echoname', 'a..b', '0abc', "name'"].map(safeFieldName)).toEqual([undefined, undefined, undefined, undefined]);
    expect(['cus_1', '3f2b8c1e-0d4a-4c55-9f0e-1a2b3c4d5e6f', 'req_7f3a-91'].map(safeApiId)).toEqual(['cus_1', '3f2b8c1e-0d4a-4c55-9f0e-1a2b3c4d5e6f', 'req_7f3a-91']);
    expect(['Rejecta Echoname', '', 'a'.repeat(129), 7].map(safeApiId)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("reads a field's messages one by one, 'invalid' for anything not allowed", () => {
    expect(safeFieldMessage('can’t be blank')).toBe('can’t be blank');
    expect(safeFieldMessage(['is invalid', 'Rejecta Echoname already exists', 'required'])).toBe('is invalid; invalid; required');
    expect(safeFieldMessage(null)).toBe('invalid');
    expect(safeFieldMessage([])).toBe('invalid');
  });
});
