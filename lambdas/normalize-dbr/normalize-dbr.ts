import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import { bareEtag, headEtag, readObjectStream, uploadStream } from '../adapters/s3-stream.js';
import { InputError } from '../core/errors.js';
import { logger } from '../shared/logger.js';
import { type NormalizeOutput, RunInputSchema } from '../shared/pipeline-contract.js';
import { dbrContractRewriter } from './dbr-contract-csv.js';
import { zipToGzip } from './zip-to-gzip.js';

export interface NormalizeDeps {
  readonly s3: S3Client;
}

/**
 * Step Functions task (DBR runs only): rewrites the delivered `.csv.zip` as `.csv.gz` in the staging
 * partition the DBR Glue table reads. Athena cannot read zip, and its CSV table maps columns by
 * position while DBR flavours differ in columns, so the copy holds exactly the DBR contract columns
 * in contract order (dbr-contract-csv.ts). The staging key is fixed per payer and month, so each
 * refresh replaces the previous copy and the partition holds one file.
 */
export const makeHandler = (deps: NormalizeDeps) =>
  middy<unknown, NormalizeOutput>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const input = RunInputSchema.parse(event);
      if (input.format !== 'dbr' || !input.normalize) {
        throw new InputError('normalize-dbr', `run ${input.deliveryId} is not a DBR run`);
      }
      const { bucket, key } = input.source;
      const target = { bucket: input.normalize.targetBucket, key: input.normalize.targetKey };
      const file = `s3://${bucket}/${key}`;

      // A newer upload of the same month replaced the file: its own run normalizes it, and this
      // older run must not overwrite the newer staging copy with older data.
      const etag = await headEtag(deps.s3, bucket, key);
      if (input.source.etag && bareEtag(input.source.etag) !== etag) {
        logger.info('superseded: the DBR file changed since this delivery', { file });
        return { status: 'superseded', ...target, bytesIn: 0, bytesOut: 0 };
      }

      const source = await readObjectStream(deps.s3, bucket, key);
      const { gzip, done } = zipToGzip(
        source,
        key.endsWith('.zip') ? 'zip' : 'none',
        file,
        dbrContractRewriter(file),
      );
      const [upload, pumped] = await Promise.allSettled([
        uploadStream(deps.s3, target.bucket, target.key, gzip, 'application/gzip'),
        done,
      ]);
      // The source's own error (corrupt zip) explains a failed upload better than the upload's.
      if (pumped.status === 'rejected') throw pumped.reason;
      if (upload.status === 'rejected') throw upload.reason;
      logger.info('DBR normalized', {
        file,
        target: target.key,
        bytesIn: pumped.value,
        bytesOut: upload.value,
      });
      return { status: 'written', ...target, bytesIn: pumped.value, bytesOut: upload.value };
    });
