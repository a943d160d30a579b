import {
  appendLedgerRowsFromText,
  LEDGER_COLUMNS,
  type LedgerRow,
  LedgerRowSchema,
  ledgerRowsFromColumns,
} from '../../lambdas/core/ledger.js';

const rows: Record<string, unknown>[] = [
  {
    billing_period: '2025-11',
    currency_code: 'USD',
    payer_account_id: '000000000010',
    usage_account_id: '000000000011',
    owner_account_id: '000000000012',
    invoice_account_id: '000000000011',
    commitment: 'ri',
    line_item_type: 'DiscountedUsage',
    note: null,
    usage_cost: '-0.5000000000',
    invoice_cost: '0.0000000000',
    line_count: '3',
    final_line_count: 2,
    commitment_id: 'arn:aws:ec2:us-east-1:000000000012:reserved-instances/r1',
    on_demand_cost: '0.7500000000',
  },
  {
    billing_period: '2025-11',
    currency_code: null,
    payer_account_id: '000000000010',
    usage_account_id: null,
    owner_account_id: null,
    invoice_account_id: null,
    commitment: null,
    line_item_type: 'Rounding',
    note: 'ambiguous-subscription:1',
    usage_cost: '0',
    invoice_cost: '1.2500000000',
    line_count: 1,
    final_line_count: '0',
    commitment_id: null,
    on_demand_cost: null,
  },
];
const columnsOf = (list: Record<string, unknown>[]): Record<string, unknown[]> =>
  Object.fromEntries(LEDGER_COLUMNS.map((c) => [c, list.map((r) => r[c])]));

describe('ledgerRowsFromColumns', () => {
  it('gives the rows LedgerRowSchema gives, counts coerced from integer text', () => {
    const expected: LedgerRow[] = rows.map((r) => LedgerRowSchema.parse(r));
    expect(ledgerRowsFromColumns(columnsOf(rows))).toEqual(expected);
    expect(expected[0]?.line_count).toBe(3);
  });

  it.each([
    ['a billing period that is not YYYY-MM', { billing_period: '2025-1' }, 'billing_period'],
    ['an unknown commitment', { commitment: 'edp' }, 'commitment'],
    ['money that is not text', { usage_cost: 1.5 }, 'usage_cost'],
    ['a fractional line count', { line_count: '1.5' }, 'line_count'],
    ['a missing payer', { payer_account_id: null }, 'payer_account_id'],
  ])('refuses %s, like the schema, naming the row and column', (_name, change, column) => {
    const bad = [rows[0]!, { ...rows[1]!, ...change }];
    expect(() => LedgerRowSchema.parse(bad[1])).toThrow();
    expect(() => ledgerRowsFromColumns(columnsOf(bad))).toThrow(`ledger row 1: ${column} `);
  });

  it('refuses a result without a ledger column', () => {
    const { note: _note, ...rest } = columnsOf(rows);
    expect(() => ledgerRowsFromColumns(rest)).toThrow('ledger result has no column note');
  });
});

describe('appendLedgerRowsFromText', () => {
  const encoding = { separator: '\x1f', nullText: '\x1e' };
  const textOf = (list: Record<string, unknown>[]): string =>
    list
      .flatMap((r) => LEDGER_COLUMNS.map((c) => (r[c] === null ? encoding.nullText : String(r[c]))))
      .join(encoding.separator);
  // Values repeated from the row above, and values that start like the one above or like the
  // usage account without being the same.
  const more: Record<string, unknown>[] = [
    { ...rows[0]!, owner_account_id: '0000000000112', invoice_account_id: '00000000001' },
    { ...rows[0]!, line_item_type: 'Discounted', usage_cost: '-0.5', line_count: 30 },
    { ...rows[0]!, usage_account_id: '000000000012', commitment: null, note: '' },
    { ...rows[1]!, line_count: null }, // coerced to 0, as the schema does
  ];

  it('gives the rows LedgerRowSchema gives, after the rows already there', () => {
    const all = [...rows, ...more];
    const expected: LedgerRow[] = all.map((r) => LedgerRowSchema.parse(r));
    const read: LedgerRow[] = [expected[1]!];
    expect(appendLedgerRowsFromText(textOf(all), all.length, encoding, read)).toBe(true);
    expect(read).toEqual([expected[1], ...expected]);
  });

  it.each([
    ['a billing period that is not YYYY-MM', { billing_period: '2025-1' }, 'billing_period'],
    ['an unknown commitment', { commitment: 'edp' }, 'commitment'],
    ['a fractional line count', { line_count: '1.5' }, 'line_count'],
    ['a line count that is not a number', { final_line_count: 'x' }, 'final_line_count'],
    ['a missing payer', { payer_account_id: null }, 'payer_account_id'],
    ['missing money', { invoice_cost: null }, 'invoice_cost'],
  ])('refuses %s, like the schema, naming the row and column', (_name, change, column) => {
    const bad = [rows[0]!, { ...rows[1]!, ...change }];
    expect(() => LedgerRowSchema.parse(bad[1])).toThrow();
    expect(() => appendLedgerRowsFromText(textOf(bad), 2, encoding, [])).toThrow(
      `ledger row 1: ${column} `,
    );
  });

  it.each([
    // The values after the note, shifted by one, still pass: x | 1 | 1 | 1 | 1, and 1 left over.
    [
      'the checks pass',
      { note: 'x\x1f1', usage_cost: '1', invoice_cost: '1', line_count: 1, final_line_count: 1 },
    ],
    ['a check fails', { currency_code: 'US\x1fD' }],
  ])('appends nothing and says so when a value holds the separator and %s', (_name, change) => {
    const read: LedgerRow[] = [];
    const text = textOf([rows[0]!, { ...rows[1]!, ...change }]);
    expect(appendLedgerRowsFromText(text, 2, encoding, read)).toBe(false);
    expect(read).toEqual([]);
  });

  it('says so when the text holds fewer rows than counted', () => {
    expect(appendLedgerRowsFromText(textOf(rows), 3, encoding, [])).toBe(false);
  });
});
