import { describe, expect, it } from 'vitest';
import { isConfigError, type MappingConfig } from 'cliniko-tradify';
import { DEFAULT_STATUS_TABLE, resolveMappingConfig, createMappingContext } from 'cliniko-tradify/mapping';

function settingOf(config: unknown): string {
  try {
    resolveMappingConfig(config as MappingConfig);
  } catch (e) {
    expect(isConfigError(e)).toBe(true);
    return (e as { setting: string }).setting;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveMappingConfig', () => {
  it('fills every default', () => {
    const c = resolveMappingConfig();
    expect(c.approval).toEqual({ when: 'settled', settleAfterMs: 86_400_000, onChangeAfterApproval: 'review' });
    expect(c.conflictPolicy).toBe('cliniko-wins');
    expect(c.defaultDueDays).toBe(14);
    expect(c.statusTable).toEqual(DEFAULT_STATUS_TABLE);
    expect(c.rounding.allowRoundingLine).toBe(false);
    expect(c.rounding.maxAmount.toString()).toBe('0.05');
    expect(c.name).toBe('legal');
    expect(c.contactName).toBe('invoice_default_to');
    expect(c.includeInvoicesOfFilteredPatients).toBe(false);
    expect(c.taxTable).toEqual([]);
  });

  it('reads settleAfter durations', () => {
    expect(resolveMappingConfig({ approval: { settleAfter: '2d' } }).approval.settleAfterMs).toBe(172_800_000);
    expect(resolveMappingConfig({ approval: { settleAfter: 0 } }).approval.settleAfterMs).toBe(0);
  });

  it.each([
    [{ approval: { when: 'sometimes' } }, 'mapping.approval.when'],
    [{ approval: { settleAfter: 'a while' } }, 'mapping.approval.settleAfter'],
    [{ approval: { onChangeAfterApproval: 'ignore' } }, 'mapping.approval.onChangeAfterApproval'],
    [{ conflictPolicy: 'tradify-wins' }, 'mapping.conflictPolicy'],
    [{ paymentTerms: { defaultDueDays: -1 } }, 'mapping.paymentTerms.defaultDueDays'],
    [{ paymentTerms: { defaultDueDays: 1.5 } }, 'mapping.paymentTerms.defaultDueDays'],
    [{ rounding: { maxAmount: 'lots' } }, 'mapping.rounding.maxAmount'],
    [{ rounding: { maxAmount: '-1' } }, 'mapping.rounding.maxAmount'],
    [{ rounding: { description: '' } }, 'mapping.rounding.description'],
    [{ statusTable: { '50': 'open' } }, 'mapping.statusTable.50'],
    [{ statusTable: { '10': 'approve' } }, 'mapping.statusTable.10'],
    [{ customFields: { custom5: { patientField: 'x' } } }, 'mapping.customFields.custom5'],
    [{ customFields: { custom1: { section: 'only section' } } }, 'mapping.customFields.custom1'],
    [{ taxTable: [{ tradifyTaxRateId: 'x' }] }, 'mapping.taxTable[0]'],
    [{ taxTable: [{ percent: 'ten', tradifyTaxRateId: 'x' }] }, 'mapping.taxTable[0].percent'],
    [{ taxTable: [{ percent: '10', tradifyTaxRateId: 'x', tradifyTaxRateName: 'GST' }] }, 'mapping.taxTable[0]'],
    [{ customer: 'not a function' }, 'mapping.customer'],
    [{ filterInvoice: 42 }, 'mapping.filterInvoice'],
    [{ name: 'nickname' }, 'mapping.name'],
    [{ contactName: 'label' }, 'mapping.contactName'],
  ])('%j → ConfigError naming %s', (config, setting) => {
    expect(settingOf(config)).toBe(setting);
  });

  it('messages say how to fix it', () => {
    try {
      resolveMappingConfig({ approval: { when: 'x' as never } });
    } catch (e) {
      expect((e as Error).message).toBe("mapping.approval.when must be one of 'settled', 'immediately', 'manual'.");
    }
  });
});

describe('createMappingContext', () => {
  it('a business zone wins over the engine zone; default is Sydney', () => {
    expect(createMappingContext({ now: 0 }).timeZone).toBe('Australia/Sydney');
    expect(createMappingContext({ now: 0, timeZone: 'Australia/Brisbane', business: { time_zone_identifier: 'Australia/Perth' } }).timeZone).toBe('Australia/Perth');
    expect(createMappingContext({ now: 0, timeZone: 'Australia/Brisbane', business: { time_zone_identifier: null } }).timeZone).toBe('Australia/Brisbane');
    expect(createMappingContext({ now: 0, timeZone: 'Australia/Brisbane', business: { time_zone_identifier: 'Not/AZone' } }).timeZone).toBe('Australia/Brisbane');
  });

  it('refuses an unknown engine zone with a ConfigError', () => {
    expect(() => createMappingContext({ now: 0, timeZone: 'Sydney' })).toThrow(expect.objectContaining({ setting: 'timeZone' }));
  });

  it('is frozen and keeps now as an ISO instant', () => {
    const ctx = createMappingContext({ now: new Date('2026-01-01T00:00:00Z') });
    expect(ctx.now).toBe('2026-01-01T00:00:00.000Z');
    expect(Object.isFrozen(ctx)).toBe(true);
  });
});
