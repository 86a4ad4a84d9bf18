import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildInitBaseString,
  buildInitSignatureCandidates,
  buildSuccessBaseString,
  HASH_ALGORITHMS,
  hashHex,
  maskPasswordInBaseString,
  MAX_INIT_SIGNATURE_CANDIDATES,
  signInitRequest,
  signSuccess,
  verifyInitSignature,
  type HashAlgorithm,
  type InitSignatureParams,
  type ShpEntry,
} from '../../src/modules/protocol/index.js';

const base: InitSignatureParams = { merchantLogin: 'shop', outSum: '10.00', invId: '7', shp: [] };

/** Which candidate (by label) a merchant's base string lands on, or undefined when none does. */
function matchLabel(
  params: InitSignatureParams,
  merchantBaseString: string,
  algorithm: HashAlgorithm = 'MD5',
) {
  return verifyInitSignature(params, 'pw', algorithm, hashHex(algorithm, merchantBaseString)).matchedLabel;
}

describe('hashHex', () => {
  it.each([
    ['MD5', '900150983cd24fb0d6963f7d28e17f72'],
    ['RIPEMD160', '8eb208f7e05d987a9b044a8e98c6b087f15a0bfc'],
    ['SHA1', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    ['SHA256', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'SHA384',
      'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
    ],
    [
      'SHA512',
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    ],
  ] as const)('%s of "abc" is the standard digest, in lower case', (algorithm, digest) => {
    expect(hashHex(algorithm, 'abc')).toBe(digest);
  });

  it('hashes the UTF-8 bytes', () => {
    // Computed independently: Python's hashlib.md5('Пароль'.encode()).
    expect(hashHex('MD5', 'Пароль')).toBe('5ebe553e01799a927b1d045924bbd4fd');
  });
});

describe('verifyInitSignature', () => {
  const signed = hashHex('MD5', 'shop:10.00:7:pw');

  it('accepts the digest in either letter case and refuses anything else', () => {
    expect(verifyInitSignature(base, 'pw', 'MD5', signed).isValid).toBe(true);
    expect(verifyInitSignature(base, 'pw', 'MD5', signed.toUpperCase()).isValid).toBe(true);
    expect(verifyInitSignature(base, 'pw', 'MD5', ` ${signed}`).isValid).toBe(false);
    expect(verifyInitSignature(base, 'pw', 'MD5', signed.slice(1)).isValid).toBe(false);
    expect(verifyInitSignature(base, 'pw', 'MD5', '').isValid).toBe(false);
    expect(verifyInitSignature(base, 'pw', 'SHA256', signed).isValid).toBe(false);
    expect(verifyInitSignature(base, 'other', 'MD5', signed).isValid).toBe(false);
  });

  it('reports the candidates it tried, even when none matched', () => {
    const check = verifyInitSignature(base, 'pw', 'MD5', 'bad');
    expect(check).toEqual({
      isValid: false,
      candidates: [{ label: 'documented order', baseString: 'shop:10.00:7:pw' }],
    });
  });

  it('signs what it verifies', () => {
    for (const algorithm of HASH_ALGORITHMS) {
      expect(verifyInitSignature(base, 'pw', algorithm, signInitRequest(algorithm, base, 'pw')).isValid).toBe(
        true,
      );
    }
  });
});

describe('candidate base strings (compatibility policy)', () => {
  it('keeps the InvId slot empty when there is no InvId, and inserts other modifiers only when present', () => {
    expect(buildInitBaseString({ ...base, invId: '' }, 'pw')).toBe('shop:10.00::pw');
    expect(buildInitBaseString({ ...base, stepByStep: 'true', token: 'tok' }, 'pw')).toBe(
      'shop:10.00:7:true:tok:pw',
    );
  });

  it('follows the documented modifier order, Shp after the password', () => {
    const everything: InitSignatureParams = {
      ...base,
      outSumCurrency: 'USD',
      userIp: '1.2.3.4',
      receipt: 'R',
      stepByStep: 'true',
      resultUrl2: 'https://r/',
      successUrl2: 'https://s/',
      successUrl2Method: 'GET',
      failUrl2: 'https://f/',
      failUrl2Method: 'POST',
      token: 'T',
      shp: [
        ['Shp_b', '2'],
        ['Shp_a', '1'],
      ],
    };
    expect(buildInitBaseString(everything, 'pw')).toBe(
      'shop:10.00:7:USD:1.2.3.4:R:true:https%3A%2F%2Fr%2F:https%3A%2F%2Fs%2F:GET:https%3A%2F%2Ff%2F:POST:T:pw:Shp_a=1:Shp_b=2',
    );
  });

  it('sorts Shp ordinally and also case-insensitively (robokassa/cms-wordpress)', () => {
    const params = {
      ...base,
      shp: [
        ['Shp_merchant_id', '5'],
        ['shp_label', 'x'],
      ] as const,
    };
    expect(matchLabel(params, 'shop:10.00:7:pw:Shp_merchant_id=5:shp_label=x')).toBe(
      'documented order, Shp ordinal',
    );
    expect(matchLabel(params, 'shop:10.00:7:pw:shp_label=x:Shp_merchant_id=5')).toBe(
      'documented order, Shp case-insensitive',
    );
  });

  it('sorts Shp by the joined name=value text too, which differs when one name prefixes another', () => {
    const params = {
      ...base,
      shp: [
        ['Shp_a', '1'],
        ['Shp_a1', '2'],
      ] as const,
    };
    expect(matchLabel(params, 'shop:10.00:7:pw:Shp_a=1:Shp_a1=2')).toBe('documented order, Shp ordinal');
    expect(matchLabel(params, 'shop:10.00:7:pw:Shp_a1=2:Shp_a=1')).toBe(
      'documented order, Shp ordinal by name=value',
    );
  });

  it('signs Shp values as received, whatever they hold', () => {
    const params = { ...base, shp: [['Shp_x', 'a b:c&d=e+ё']] as const };
    expect(matchLabel(params, 'shop:10.00:7:pw:Shp_x=a b:c&d=e+ё')).toBe('documented order, Shp ordinal');
  });

  describe('Receipt', () => {
    const json = '{"items":[{"name":"Чай (зелёный) 100 г","sum":1,"tax":"none"}]}';

    it('as received: the docs way (encoded, sent in a form), and raw JSON sent encoded once', () => {
      const encoded = encodeURIComponent(json);
      expect(matchLabel({ ...base, receipt: encoded }, `shop:10.00:7:${encoded}:pw`)).toBe(
        'documented order, Receipt as received',
      );
      expect(matchLabel({ ...base, receipt: json }, `shop:10.00:7:${json}:pw`)).toBe(
        'documented order, Receipt as received',
      );
    });

    it('encoded by the server when a GET link carried the signed encoded text only once', () => {
      const receipt = { ...base, receipt: json };
      expect(matchLabel(receipt, `shop:10.00:7:${encodeURIComponent(json)}:pw`)).toBe(
        'documented order, Receipt encodeURIComponent-encoded',
      );
      const phpUrlencode = encodeURIComponent(json)
        .replace(/[!'()*~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
        .replace(/%20/g, '+');
      expect(phpUrlencode).toContain('%28');
      expect(phpUrlencode).toContain('+');
      expect(matchLabel(receipt, `shop:10.00:7:${phpUrlencode}:pw`)).toBe(
        'documented order, Receipt form-encoded',
      );
      const rawurlencode = phpUrlencode.replace(/\+/g, '%20');
      expect(matchLabel(receipt, `shop:10.00:7:${rawurlencode}:pw`)).toBe(
        'documented order, Receipt RFC 3986-encoded',
      );
    });

    it('decoded once when raw JSON was signed but the encoded text arrived', () => {
      const formEncoded = encodeURIComponent(json).replace(/%20/g, '+');
      expect(matchLabel({ ...base, receipt: formEncoded }, `shop:10.00:7:${json}:pw`)).toBe(
        'documented order, Receipt form-decoded once',
      );
      expect(matchLabel({ ...base, receipt: encodeURIComponent(json) }, `shop:10.00:7:${json}:pw`)).toBe(
        'documented order, Receipt decoded once',
      );
    });

    it('does not decode a value without percent escapes, nor choke on broken escapes', () => {
      const labels = buildInitSignatureCandidates({ ...base, receipt: '{"a":"100%"}' }, 'pw').map(
        (c) => c.label,
      );
      expect(labels.some((label) => label.includes('decoded'))).toBe(false);
      const broken = buildInitSignatureCandidates({ ...base, receipt: '%E0%A4%A' }, 'pw');
      expect(broken[0]?.baseString).toBe('shop:10.00:7:%E0%A4%A:pw');
    });
  });

  describe('ResultUrl2 / SuccessUrl2 / FailUrl2', () => {
    const url = "https://shop.example/done?order=1&name=a b~(x)!'*";
    const params = { ...base, successUrl2: url, successUrl2Method: 'POST' };

    it.each([
      ['URLs encodeURIComponent-encoded', encodeURIComponent(url)],
      ['URLs raw', url],
      [
        'URLs form-encoded',
        encodeURIComponent(url)
          .replace(/[!'()*~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
          .replace(/%20/g, '+'),
      ],
      [
        'URLs RFC 3986-encoded',
        encodeURIComponent(url).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()),
      ],
    ])('accepts %s', (label, signedUrl) => {
      expect(matchLabel(params, `shop:10.00:7:${signedUrl}:POST:pw`)).toBe(`documented order, ${label}`);
    });

    it('encodes all three URLs with one encoder, never the methods', () => {
      const three = {
        ...base,
        resultUrl2: 'https://r/',
        successUrl2: 'https://s/',
        successUrl2Method: 'GET',
        failUrl2: 'https://f/',
        failUrl2Method: 'GET',
      };
      expect(matchLabel(three, 'shop:10.00:7:https://r/:https://s/:GET:https://f/:GET:pw')).toBe(
        'documented order, URLs raw',
      );
    });
  });

  describe('OutSumCurrency and UserIp positions', () => {
    const params = { ...base, outSumCurrency: 'USD', userIp: '10.0.0.1', receipt: 'R', stepByStep: 'true' };

    it.each([
      ['documented order', 'shop:10.00:7:USD:10.0.0.1:R:true:pw'],
      ['UserIp after Receipt', 'shop:10.00:7:USD:R:10.0.0.1:true:pw'],
      ['UserIp before password', 'shop:10.00:7:USD:R:true:10.0.0.1:pw'],
      ['OutSumCurrency and UserIp before password', 'shop:10.00:7:R:true:USD:10.0.0.1:pw'],
    ])('accepts %s', (label, baseString) => {
      expect(matchLabel(params, baseString)).toBe(`${label}, Receipt as received`);
    });

    it('names the currency-only variant accordingly', () => {
      expect(matchLabel({ ...base, outSumCurrency: 'EUR', token: 'T' }, 'shop:10.00:7:T:EUR:pw')).toBe(
        'OutSumCurrency before password',
      );
    });

    it('does not offer positions for parameters that were not sent', () => {
      expect(buildInitSignatureCandidates({ ...base, receipt: 'R', stepByStep: 'true' }, 'pw')).toEqual([
        { label: 'documented order, Receipt as received', baseString: 'shop:10.00:7:R:true:pw' },
      ]);
    });
  });

  it('stays within the bound, without duplicates, and keeps every one-way variation when all is sent', () => {
    const everything: InitSignatureParams = {
      ...base,
      outSumCurrency: 'USD',
      userIp: '10.0.0.1',
      receipt: "%7B%22name%22%3A%22a+b (c)~'%22%7D",
      stepByStep: 'true',
      resultUrl2: "https://r/ (x)~'",
      successUrl2: 'https://s/',
      successUrl2Method: 'GET',
      token: 'T',
      shp: [
        ['Shp_b', '1'],
        ['shp_a', '2'],
        ['Shp_b1', '3'],
      ],
    };
    const candidates = buildInitSignatureCandidates(everything, 'pw');
    expect(candidates.length).toBe(MAX_INIT_SIGNATURE_CANDIDATES);
    expect(new Set(candidates.map((c) => c.baseString)).size).toBe(candidates.length);
    expect(new Set(candidates.map((c) => c.label)).size).toBe(candidates.length);
    const labels = candidates.map((c) => c.label);
    const primary = [
      'documented order',
      'Receipt as received',
      'URLs encodeURIComponent-encoded',
      'Shp ordinal',
    ];
    const alternatives = [
      ['UserIp after Receipt', 'UserIp before password', 'OutSumCurrency and UserIp before password'],
      [
        'Receipt encodeURIComponent-encoded',
        'Receipt form-encoded',
        'Receipt decoded once',
        'Receipt form-decoded once',
        'Receipt RFC 3986-encoded',
      ],
      ['URLs raw', 'URLs form-encoded', 'URLs RFC 3986-encoded'],
      ['Shp case-insensitive', 'Shp ordinal by name=value'],
    ];
    expect(labels[0]).toBe(primary.join(', '));
    alternatives.forEach((choices, dimension) => {
      for (const choice of choices) {
        expect(labels).toContain(
          primary.map((part, index) => (index === dimension ? choice : part)).join(', '),
        );
      }
    });
    expect(labels).toContain(
      'UserIp after Receipt, Receipt decoded once, URLs encodeURIComponent-encoded, Shp ordinal',
    );
    expect(labels).toContain('documented order, Receipt form-decoded once, URLs raw, Shp ordinal');
    expect(labels).toContain(
      'documented order, Receipt as received, URLs RFC 3986-encoded, Shp case-insensitive',
    );
  });
});

describe('Success signature', () => {
  it('is Result-shaped with Password #1, upper-case, Shp sorted ordinally', () => {
    const shp = [
      ['shp_b', '2'],
      ['Shp_a', '1'],
    ] as const;
    expect(buildSuccessBaseString('100.000000', '5', 'pw1', shp)).toBe('100.000000:5:pw1:Shp_a=1:shp_b=2');
    expect(signSuccess('SHA1', '100.000000', '5', 'pw1', shp)).toBe(
      hashHex('SHA1', '100.000000:5:pw1:Shp_a=1:shp_b=2').toUpperCase(),
    );
  });
});

describe('maskPasswordInBaseString', () => {
  it('masks the password where it is a whole field, and only there', () => {
    expect(maskPasswordInBaseString('shop:10.00:7:secret:Shp_a=secret', 'secret')).toBe(
      'shop:10.00:7:••••••:Shp_a=secret',
    );
    expect(maskPasswordInBaseString('secret:x:secret', 'secret')).toBe('••••••:x:••••••');
    expect(maskPasswordInBaseString('shop:1:secrets:pw', 'secret')).toBe('shop:1:secrets:pw');
    expect(maskPasswordInBaseString('shop:1::pa:ss:Shp_a=1', 'pa:ss')).toBe('shop:1::••••••:Shp_a=1');
    expect(maskPasswordInBaseString('a:b', '')).toBe('a:b');
  });

  it('masks every whole-field occurrence, even one that is not the password slot', () => {
    expect(maskPasswordInBaseString('shop:10:7:7', '7')).toBe('shop:10:••••••:••••••');
  });

  it('never leaves the password as a field', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', ':') })),
        fc.string({ minLength: 1, unit: fc.constantFrom('a', 'b') }),
        (fields, password) => {
          const masked = maskPasswordInBaseString([...fields, password].join(':'), password);
          expect(masked.split(':')).not.toContain(password);
        },
      ),
    );
  });
});

/* ----------------------------------- properties ----------------------------------- */

/** Characters that break naive implementations: separators, URL syntax, spaces, non-ASCII, astral. */
const trickyCharacter = fc.oneof(
  fc.constantFrom(':', '&', '=', ' ', '+', '%', '?', '/', '#', 'ё', 'Ж', '€', '😀', '~', '(', '*', "'", '"'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);
const trickyText = fc.string({ unit: trickyCharacter, maxLength: 12 });
const nonEmptyTrickyText = fc.string({ unit: trickyCharacter, minLength: 1, maxLength: 12 });
const decimalText = fc
  .tuple(fc.bigInt(0n, 999_999_999_999_999n), fc.option(fc.stringMatching(/^\d{1,6}$/), { nil: undefined }))
  .map(([whole, fraction]) => (fraction === undefined ? `${whole}` : `${whole}.${fraction}`));
const invIdText = fc.oneof(fc.constant(''), fc.bigInt(1n, 9_223_372_036_854_775_807n).map(String));
const shpName = fc
  .tuple(fc.constantFrom('Shp_', 'SHP_', 'shp_', 'shp', 'sHp_'), fc.stringMatching(/^[A-Za-z0-9_]{1,8}$/))
  .map(([prefix, rest]) => prefix + rest);
const shpList = fc.uniqueArray(fc.tuple(shpName, trickyText), {
  maxLength: 5,
  selector: ([name]) => name,
});
const algorithm = fc.constantFrom(...HASH_ALGORITHMS);

const signatureParams = fc.record({
  merchantLogin: nonEmptyTrickyText,
  outSum: decimalText,
  invId: invIdText,
  outSumCurrency: fc.option(fc.constantFrom('USD', 'EUR', 'KZT'), { nil: undefined }),
  userIp: fc.option(fc.ipV4(), { nil: undefined }),
  shp: shpList,
});

/** The documented primary form, written out independently of the module under test. */
function referenceBaseString(params: InitSignatureParams, password: string): string {
  const bytes = (text: string) => Buffer.from(text, 'utf8');
  const shp = [...params.shp].sort(
    ([a, av], [b, bv]) => Buffer.compare(bytes(a), bytes(b)) || Buffer.compare(bytes(av), bytes(bv)),
  );
  const modifiers = [params.outSumCurrency, params.userIp].filter((value) => value !== undefined);
  return [
    params.merchantLogin,
    params.outSum,
    params.invId,
    ...modifiers,
    password,
    ...shp.map(([n, v]) => `${n}=${v}`),
  ].join(':');
}

describe('signature properties', () => {
  it('a signature over the documented primary form always verifies, in either hex case', () => {
    fc.assert(
      fc.property(
        signatureParams,
        nonEmptyTrickyText,
        algorithm,
        fc.boolean(),
        (params, password, alg, isUpper) => {
          const primary = referenceBaseString(params, password);
          expect(buildInitBaseString(params, password)).toBe(primary);
          const digest = hashHex(alg, primary);
          const check = verifyInitSignature(params, password, alg, isUpper ? digest.toUpperCase() : digest);
          expect(check.isValid).toBe(true);
          expect(check.candidates.length).toBeLessThanOrEqual(MAX_INIT_SIGNATURE_CANDIDATES);
        },
      ),
    );
  });

  type Change = (params: InitSignatureParams, password: string) => [InitSignatureParams, string] | undefined;
  const changes: Record<string, (replacement: string, index: number) => Change> = {
    merchantLogin: (r) => (p, pw) => (r === p.merchantLogin ? undefined : [{ ...p, merchantLogin: r }, pw]),
    outSum: (r) => (p, pw) => (r === p.outSum ? undefined : [{ ...p, outSum: r }, pw]),
    invId: (r) => (p, pw) => (r === p.invId ? undefined : [{ ...p, invId: r }, pw]),
    outSumCurrency: (r) => (p, pw) =>
      r === p.outSumCurrency ? undefined : [{ ...p, outSumCurrency: r }, pw],
    userIp: (r) => (p, pw) => (r === p.userIp ? undefined : [{ ...p, userIp: r }, pw]),
    password: (r) => (p, pw) => (r === pw ? undefined : [p, r]),
    shpValue: (r, index) => (p, pw) => {
      const position = index % Math.max(p.shp.length, 1);
      const entry = p.shp[position];
      if (!entry || entry[1] === r) return undefined;
      const shp: ShpEntry[] = p.shp.map((e, i) => (i === position ? [e[0], r] : e));
      return [{ ...p, shp }, pw];
    },
    shpName: (r, index) => (p, pw) => {
      const position = index % Math.max(p.shp.length, 1);
      const entry = p.shp[position];
      const name = `Shp_${r.replace(/[^A-Za-z0-9]/g, '') || 'x'}`;
      if (!entry || p.shp.some(([n]) => n === name)) return undefined;
      const shp: ShpEntry[] = p.shp.map((e, i) => (i === position ? [name, e[1]] : e));
      return [{ ...p, shp }, pw];
    },
  };

  it('a signature with any single parameter changed never verifies', () => {
    fc.assert(
      fc.property(
        signatureParams,
        nonEmptyTrickyText,
        algorithm,
        fc.constantFrom(...Object.keys(changes)),
        fc.oneof(trickyText, decimalText),
        fc.nat(),
        (params, password, alg, changeName, replacement, index) => {
          const change = changes[changeName]?.(replacement, index);
          const changed = change?.(params, password);
          fc.pre(changed !== undefined);
          if (!changed) return;
          const signature = hashHex(alg, referenceBaseString(params, password));
          expect(verifyInitSignature(changed[0], changed[1], alg, signature).isValid).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});
