import {
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/** A conditional write lost: the object changed (or appeared) since it was read. */
export class PreconditionFailedError extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`s3://${bucket}/${key} changed concurrently`);
    this.name = 'PreconditionFailedError';
  }
}

export interface StoredObject {
  readonly body: string;
  readonly etag: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface PutOptions {
  readonly contentType: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Write only if the object still has this ETag. */
  readonly ifMatch?: string;
  /** Write only if the object does not exist yet. */
  readonly ifNoneMatch?: boolean;
}

/** The S3 operations the pipeline needs, with S3's error shapes turned into results. */
export interface ObjectStore {
  getText(bucket: string, key: string): Promise<StoredObject | undefined>;
  exists(bucket: string, key: string): Promise<boolean>;
  put(bucket: string, key: string, body: string, options: PutOptions): Promise<{ etag: string }>;
}

const isStatus = (error: unknown, status: number): boolean =>
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === status;

const isMissing = (error: unknown): boolean =>
  error instanceof NoSuchKey ||
  error instanceof NotFound ||
  (error as { name?: string })?.name === 'NoSuchKey' ||
  (error as { name?: string })?.name === 'NotFound' ||
  isStatus(error, 404);

/** 412 for a lost If-Match/If-None-Match; 409 when a concurrent conditional write is in flight. */
const isConditionFailure = (error: unknown): boolean =>
  (error as { name?: string })?.name === 'PreconditionFailed' ||
  (error as { name?: string })?.name === 'ConditionalRequestConflict' ||
  isStatus(error, 412) ||
  isStatus(error, 409);

export const s3Store = (s3: S3Client): ObjectStore => ({
  async getText(bucket, key) {
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return {
        body: (await out.Body?.transformToString('utf8')) ?? '',
        etag: out.ETag ?? '',
        metadata: out.Metadata ?? {},
      };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  },
  async exists(bucket, key) {
    try {
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  },
  async put(bucket, key, body, options) {
    try {
      const out = await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: options.contentType,
          ...(options.metadata ? { Metadata: { ...options.metadata } } : {}),
          ...(options.ifMatch ? { IfMatch: options.ifMatch } : {}),
          ...(options.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
        }),
      );
      return { etag: out.ETag ?? '' };
    } catch (error) {
      if ((options.ifMatch || options.ifNoneMatch) && isConditionFailure(error)) {
        throw new PreconditionFailedError(bucket, key);
      }
      throw error;
    }
  },
});
