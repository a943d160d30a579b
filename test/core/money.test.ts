import {
  addMoney,
  compareMoney,
  displayMoney,
  formatMoney,
  isZeroMoney,
  MoneyFormatError,
  parseMoney,
  subtractMoney,
  sumMoney,
} from '../../lambdas/core/money.js';

describe('parseMoney', () => {
  it.each([
    ['0', 0n],
    ['1', 10_000_000_000n],
    ['-1', -10_000_000_000n],
    ['+2.5', 25_000_000_000n],
    ['0012.5', 125_000_000_000n],
    ['1234.5600000000', 12_345_600_000_000n],
    ['-0.0000000001', -1n],
    ['.5', 5_000_000_000n],
    ['7.', 70_000_000_000n],
    ['-0.000', 0n],
    // DECIMAL(38,12) prints two more zeros: still exact at scale 10.
    ['3.140000000000', 31_400_000_000n],
    // 38 digits, the widest DECIMAL(38,10): 28 integer digits.
    ['9999999999999999999999999999.9999999999', 10n ** 38n - 1n],
  ])('reads %p exactly', (text, units) => {
    expect(parseMoney(text)).toBe(units);
  });

  it.each([
    [''],
    ['-'],
    ['.'],
    ['1e5'],
    ['1.5E-3'],
    ['1,000.00'],
    [' 1'],
    ['NaN'],
    ['0x10'],
    ['1.00000000001'],
    ['--1'],
  ])('refuses %p with a message that quotes it', (text) => {
    expect(() => parseMoney(text)).toThrow(MoneyFormatError);
    expect(() => parseMoney(text)).toThrow(`not a decimal amount: ${JSON.stringify(text)}`);
  });
});

describe('formatMoney', () => {
  it.each([
    [0n, '0'],
    [1n, '0.0000000001'],
    [-1n, '-0.0000000001'],
    [12_345_600_000_000n, '1234.5600000000'],
    [-50_000_000_000n, '-5.0000000000'],
    [10n ** 38n - 1n, '9999999999999999999999999999.9999999999'],
  ])('prints %p as %p', (units, text) => {
    expect(formatMoney(units)).toBe(text);
  });

  it.each([['0.1'], ['-1183.1696462216'], ['42'], ['-0.0000000001']])(
    'round-trips %p through parse and format',
    (text) => {
      expect(parseMoney(formatMoney(parseMoney(text)))).toBe(parseMoney(text));
    },
  );
});

describe('arithmetic', () => {
  it.each([
    // 0.1 + 0.2 is 0.30000000000000004 in floats; here it is 0.3 exactly.
    ['0.1', '0.2', '0.3000000000'],
    ['1183.1696462216', '-68.7091012029', '1114.4605450187'],
    ['-5', '5', '0'],
  ])('adds %p + %p = %p', (a, b, sum) => {
    expect(addMoney(a, b)).toBe(sum);
  });

  it.each([
    ['0.3', '0.1', '0.2000000000'],
    ['1183.1696462216', '1114.4605450187', '68.7091012029'],
    ['1', '1.0', '0'],
  ])('subtracts %p - %p = %p', (a, b, diff) => {
    expect(subtractMoney(a, b)).toBe(diff);
  });

  it('sums many values exactly', () => {
    // 0.1 added ten times is 1 exactly (the float sum is 0.9999999999999999).
    expect(sumMoney(Array.from({ length: 10 }, () => '0.1'))).toBe('1.0000000000');
    expect(sumMoney([])).toBe('0');
  });

  it.each([
    ['1', '1.0000000000', 0],
    ['-1', '1', -1],
    ['2', '10', -1],
    ['10', '2', 1],
    ['0.0000000001', '0', 1],
  ])('compares %p with %p as %p', (a, b, order) => {
    expect(compareMoney(a, b)).toBe(order);
  });

  it.each([
    ['0', true],
    ['-0.0000000000', true],
    ['0.0000000001', false],
  ])('isZeroMoney(%p) is %p', (a, zero) => {
    expect(isZeroMoney(a)).toBe(zero);
  });
});

describe('displayMoney', () => {
  it.each([
    ['0', 2, '0.00'],
    ['1234.565', 2, '1,234.57'],
    ['-1234.565', 2, '-1,234.57'],
    ['1234.5649999999', 2, '1,234.56'],
    ['-0.004', 2, '0.00'],
    ['999999.995', 2, '1,000,000.00'],
    ['1234567.5', 0, '1,234,568'],
    ['0.05', 1, '0.1'],
  ])('shows %p rounded to %p decimals as %p', (text, digits, shown) => {
    expect(displayMoney(text, digits)).toBe(shown);
  });

  it('accepts an amount in units', () => {
    expect(displayMoney(12_345_600_000_000n)).toBe('1,234.56');
  });
});
