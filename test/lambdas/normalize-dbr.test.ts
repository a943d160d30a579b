import { gunzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { makeHandler } from '../../lambdas/normalize-dbr/normalize-dbr.js';
import { NormalizeOutputSchema, type RunInput } from '../../lambdas/shared/pipeline-contract.js';
import { lambdaContext } from './helpers/lambda-context.js';
import { MemoryS3, newS3Client } from './helpers/memory-s3.js';

const PAYER = '012345678901';
const NAME = `${PAYER}-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-Ningxia-2025-10.csv`;
const SOURCE = `dbr/${NAME}.zip`;
const TARGET = `whopays-staging/dbr/payer=${PAYER}/billing_period=2025-10/${NAME}.gz`;

const runInput = (etag: string, key = SOURCE): RunInput => ({
  deliveryId: 'd'.repeat(32),
  deliveredAt: '2025-11-04T01:00:00.000Z',
  format: 'dbr',
  payerAccountId: PAYER,
  billingPeriod: '2025-10',
  currency: 'CNY',
  source: { bucket: 'cur-bucket', key, etag },
  query: { queryString: 'select 1', database: 'whopays', workGroup: 'whopays' },
  normalize: { targetBucket: 'cur-bucket', targetKey: TARGET },
});

// The staged header: the DBR contract columns (lambdas/core/source-columns.ts) in order.
const STAGED_HEADER =
  '"InvoiceID","PayerAccountId","LinkedAccountId","RecordType","ProductName","SubscriptionId","UsageType","ItemDescription","UsageStartDate","UnBlendedCost"\n';

// ~8 MB of CSV: the zip arrives in many 64 KiB chunks and inflates piece by piece.
const bigCsv = (): { csv: string; staged: string } => {
  const header =
    '"InvoiceID","PayerAccountId","LinkedAccountId","RecordType","ProductName","UnBlendedCost"\n';
  const lines: string[] = [header];
  const staged: string[] = [STAGED_HEADER];
  for (let i = 0; i < 100_000; i++) {
    const account = `0${String(i % 97).padStart(11, '0')}`;
    lines.push(`"Estimated","${PAYER}","${account}","LineItem","Amazon EC2","${i}.0123456789"\n`);
    // Columns the file lacks (SubscriptionId, UsageType, ItemDescription, UsageStartDate) are empty.
    staged.push(
      `"Estimated","${PAYER}","${account}","LineItem","Amazon EC2","","","","","${i}.0123456789"\n`,
    );
  }
  return { csv: lines.join(''), staged: staged.join('') };
};

describe('normalize-dbr', () => {
  let s3: MemoryS3;
  beforeEach(() => {
    s3 = new MemoryS3();
  });
  afterEach(() => s3.restore());
  const handler = () => makeHandler({ s3: newS3Client() });

  it('streams the zipped CSV into gzip under the staging partition, as the contract columns', async () => {
    // Prepare
    const { csv, staged } = bigCsv();
    const etag = s3.put('cur-bucket', SOURCE, Buffer.from(zipSync({ [NAME]: Buffer.from(csv) })));
    // Act
    const out = NormalizeOutputSchema.parse(await handler()(runInput(etag), lambdaContext));
    // Assess
    expect(out).toMatchObject({ status: 'written', bucket: 'cur-bucket', key: TARGET });
    expect(gunzipSync(s3.buffer('cur-bucket', TARGET)!).toString('utf8')).toBe(staged);
    expect(out.bytesOut).toBe(s3.buffer('cur-bucket', TARGET)!.length);
    expect(s3.openUploads).toBe(0);
  });

  it('gzips a plain .csv delivery too: BOM, CRLF, Cost for UnBlendedCost, tags, quoted commas, quotes and line breaks', async () => {
    const csv =
      '\uFEFFRecordType,user:Name,LinkedAccountId,Cost,PayerAccountId,ItemDescription,ProductName\r\n' +
      `LineItem,"a,b",003786579754,1.5,${PAYER},"say ""hi""\r\nback\\slash",Amazon RDS\r\n`;
    const etag = s3.put('cur-bucket', 'dbr/x.csv', csv);
    await handler()(runInput(etag, 'dbr/x.csv'), lambdaContext);
    // Quotes and backslashes escaped with the Glue table's `\`; the line break becomes a space.
    expect(gunzipSync(s3.buffer('cur-bucket', TARGET)!).toString('utf8')).toBe(
      `${STAGED_HEADER}"","${PAYER}","003786579754","LineItem","Amazon RDS","","","say \\"hi\\" back\\\\slash","","1.5"\n`,
    );
  });

  it('refuses a record with another field count than the header, naming the file and record', async () => {
    const csv = `RecordType,LinkedAccountId,UnBlendedCost,PayerAccountId,ProductName\nLineItem,003786579754,1.5,${PAYER}\n`;
    const etag = s3.put('cur-bucket', 'dbr/x.csv', csv);
    await expect(handler()(runInput(etag, 'dbr/x.csv'), lambdaContext)).rejects.toThrow(
      's3://cur-bucket/dbr/x.csv: record 2 has 4 fields where the header has 5',
    );
    expect(s3.buffer('cur-bucket', TARGET)).toBeUndefined();
    expect(s3.openUploads).toBe(0);
  });

  it('refuses a corrupt zip and leaves no staging object or open upload', async () => {
    const zip = Buffer.from(zipSync({ [NAME]: Buffer.from(bigCsv().csv) }));
    const corrupt = Buffer.concat([
      zip.subarray(0, 200),
      Buffer.alloc(5000, 7),
      zip.subarray(5200),
    ]);
    const etag = s3.put('cur-bucket', SOURCE, corrupt);
    await expect(handler()(runInput(etag), lambdaContext)).rejects.toThrow(
      /cur-bucket\/dbr\/.*(corrupt|truncated)/,
    );
    expect(s3.buffer('cur-bucket', TARGET)).toBeUndefined();
    expect(s3.openUploads).toBe(0);
  });

  it('refuses a zip without a CSV', async () => {
    const etag = s3.put(
      'cur-bucket',
      SOURCE,
      Buffer.from(zipSync({ 'readme.txt': Buffer.from('hi') })),
    );
    await expect(handler()(runInput(etag), lambdaContext)).rejects.toThrow(
      /zip holds no \.csv file/,
    );
    expect(s3.buffer('cur-bucket', TARGET)).toBeUndefined();
  });

  it('does not overwrite the staging copy when a newer file replaced the delivery', async () => {
    s3.put('cur-bucket', SOURCE, Buffer.from(zipSync({ [NAME]: Buffer.from('new') })));
    const out = NormalizeOutputSchema.parse(
      await handler()(runInput('"an-older-etag"'), lambdaContext),
    );
    expect(out.status).toBe('superseded');
    expect(s3.buffer('cur-bucket', TARGET)).toBeUndefined();
  });
});
