/**
 * The questionnaire's field checks: OGRN/OGRNIP check digits (against published real numbers and as
 * properties over random bodies), INN length by legal form, KPP format, phone, bank details through the
 * payouts rules, and the specific problem code for each kind of mistake.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOgrn, isOgrnip } from '../../src/modules/kyc/index.js';
import { normalizeKycFields, validateKycFields } from '../../src/modules/kyc/kyc.validation.js';
import { LEGAL_ENTITY, SELF_EMPLOYED, SOLE_PROPRIETOR, withRegistrationCheck } from './kyc-helpers.js';

const codes = (form: Parameters<typeof validateKycFields>[0], input: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(validateKycFields(form, normalizeKycFields(form, input))).map(([name, problem]) => [
      name,
      problem.code,
    ]),
  );

describe('OGRN and OGRNIP check digits', () => {
  it('accepts published OGRNs and refuses them with a changed check digit', () => {
    for (const ogrn of ['1027700132195', '1117746358608', '1037739010891', '1027700220624']) {
      expect(isOgrn(ogrn), ogrn).toBe(true);
      const wrong = ogrn.slice(0, 12) + String((Number(ogrn[12]) + 1) % 10);
      expect(isOgrn(wrong), wrong).toBe(false);
    }
  });

  it('accepts exactly the right check digit for any 12-digit OGRN body', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{11}$/), fc.integer({ min: 0, max: 9 }), (body, digit) => {
        const valid = withRegistrationCheck(body, 11);
        expect(isOgrn(valid)).toBe(true);
        expect(isOgrn(body + String(digit))).toBe(body + String(digit) === valid);
      }),
    );
  });

  it('accepts exactly the right check digit for any 14-digit OGRNIP body (mod 13)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^3\d{13}$/), fc.integer({ min: 0, max: 9 }), (body, digit) => {
        const valid = withRegistrationCheck(body, 13);
        expect(isOgrnip(valid)).toBe(true);
        expect(isOgrnip(body + String(digit))).toBe(body + String(digit) === valid);
      }),
    );
  });

  it('refuses wrong lengths and non-digits', () => {
    expect(isOgrn('102770013219')).toBe(false);
    expect(isOgrn('1027700132195 ')).toBe(false);
    expect(isOgrnip('1027700132195')).toBe(false);
    expect(isOgrnip('3045001000001')).toBe(false);
  });
});

describe('the questionnaire by legal form', () => {
  it('passes complete valid questionnaires of each form', () => {
    expect(codes('legal_entity', LEGAL_ENTITY)).toEqual({});
    expect(codes('sole_proprietor', SOLE_PROPRIETOR)).toEqual({});
    expect(codes('individual', SELF_EMPLOYED)).toEqual({});
  });

  it('names every empty field as required', () => {
    const problems = codes('legal_entity', {});
    for (const name of ['companyName', 'inn', 'kpp', 'ogrn', 'legalAddress', 'directorName', 'bik']) {
      expect(problems[name], name).toBe('required');
    }
  });

  it('gives the specific reason: length by form, check digit, KPP format, phone', () => {
    expect(codes('legal_entity', { ...LEGAL_ENTITY, inn: SELF_EMPLOYED.inn })).toMatchObject({
      inn: 'wrong_length',
    });
    expect(codes('individual', { ...SELF_EMPLOYED, inn: LEGAL_ENTITY.inn })).toMatchObject({
      inn: 'wrong_length',
    });
    expect(codes('legal_entity', { ...LEGAL_ENTITY, inn: '7707083894' })).toMatchObject({
      inn: 'checksum_mismatch',
    });
    expect(codes('legal_entity', { ...LEGAL_ENTITY, kpp: '77360100' })).toEqual({ kpp: 'invalid_format' });
    expect(codes('legal_entity', { ...LEGAL_ENTITY, ogrn: '1027700132196' })).toEqual({
      ogrn: 'checksum_mismatch',
    });
    expect(codes('legal_entity', { ...LEGAL_ENTITY, ogrn: '10277001321' })).toEqual({ ogrn: 'wrong_length' });
    expect(codes('sole_proprietor', { ...SOLE_PROPRIETOR, ogrnip: LEGAL_ENTITY.ogrn })).toEqual({
      ogrnip: 'wrong_length',
    });
    expect(codes('individual', { ...SELF_EMPLOYED, contactPhone: '12-34' })).toEqual({
      contactPhone: 'invalid_format',
    });
  });

  it('checks bank details by the payouts rules', () => {
    expect(codes('legal_entity', { ...LEGAL_ENTITY, settlementAccount: '40702810000000001230' })).toEqual({
      settlementAccount: 'checksum_mismatch',
    });
    expect(codes('individual', { ...SELF_EMPLOYED, bik: '04452522' })).toEqual({ bik: 'invalid_format' });
  });

  it('keeps only the form’s fields, with spaces dropped from numbers', () => {
    const fields = normalizeKycFields('individual', { ...LEGAL_ENTITY, inn: ' 7707 083893 ' });
    expect(Object.keys(fields)).not.toContain('ogrn');
    expect(fields.inn).toBe('7707083893');
    expect(fields.contactPhone).toBe('+74955005550');
  });
});
