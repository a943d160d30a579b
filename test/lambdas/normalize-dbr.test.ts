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

// ~8 MB of CSV: the zip arrives in many 64 KiB chunks and inflates piece by piece.
const bigCsv = (): string => {
  const header = '"InvoiceID","PayerAccountId","LinkedAccountId","RecordType","UnBlendedCost"\n';
  const lines: string[] = [header];
  for (let i = 0; i < 100_000; i++)
    lines.push(
      `"Estimated","${PAYER}","0${String(i % 97).padStart(11, '0')}","LineItem","${i}.0123456789"\n`,
    );
  return lines.join('');
};

describe('normalize-dbr', () => {
  let s3: MemoryS3;
  beforeEach(() => {
    s3 = new MemoryS3();
  });
  afterEach(() => s3.restore());
  const handler = () => makeHandler({ s3: newS3Client() });

  it('streams the zipped CSV into gzip under the staging partition, byte for byte', async () => {
    // Prepare
    const csv = bigCsv();
    const etag = s3.put('cur-bucket', SOURCE, Buffer.from(zipSync({ [NAME]: Buffer.from(csv) })));
    // Act
    const out = NormalizeOutputSchema.parse(await handler()(runInput(etag), lambdaContext));
    // Assess
    expect(out).toMatchObject({ status: 'written', bucket: 'cur-bucket', key: TARGET });
    expect(gunzipSync(s3.buffer('cur-bucket', TARGET)!).toString('utf8')).toBe(csv);
    expect(out.bytesOut).toBe(s3.buffer('cur-bucket', TARGET)!.length);
    expect(s3.openUploads).toBe(0);
  });

  it('gzips a plain .csv delivery too', async () => {
    const csv = 'a,b\n1,2\n';
    const etag = s3.put('cur-bucket', 'dbr/x.csv', csv);
    await handler()(runInput(etag, 'dbr/x.csv'), lambdaContext);
    expect(gunzipSync(s3.buffer('cur-bucket', TARGET)!).toString('utf8')).toBe(csv);
  });

  it('refuses a corrupt zip and leaves no staging object or open upload', async () => {
    const zip = Buffer.from(zipSync({ [NAME]: Buffer.from(bigCsv()) }));
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
