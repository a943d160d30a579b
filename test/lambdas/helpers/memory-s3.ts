import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';

type S3Mock = AwsClientStub<S3Client>;

interface StoredObject {
  body: Buffer;
  etag: string;
  metadata: Record<string, string>;
}

const s3Error = (name: string, status: number): S3ServiceException =>
  new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });

/** Bodies are served in 64 KiB chunks, as a network stream would deliver them. */
function* chunks(body: Buffer): Generator<Buffer> {
  for (let i = 0; i < body.length; i += 65_536) yield body.subarray(i, i + 65_536);
  if (body.length === 0) yield body;
}

const toBuffer = async (body: unknown): Promise<Buffer> => {
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
};

/**
 * An in-memory S3 behind a mocked S3Client: Get/Head/Put with If-Match / If-None-Match semantics
 * and multipart uploads, so handlers run their real S3 code paths without a network.
 */
export class MemoryS3 {
  readonly objects = new Map<string, StoredObject>();
  readonly mock: S3Mock;
  /** Keys whose next PutObject fails with a 500, to simulate a write fault. */
  readonly failPutsFor = new Set<string>();
  private uploads = new Map<string, { bucket: string; key: string; parts: Map<number, Buffer> }>();
  private counter = 0;

  constructor() {
    this.mock = mockClient(S3Client);
    const m = this.mock;
    m.on(GetObjectCommand).callsFake(async (input) => {
      const object = this.objects.get(`${input.Bucket}/${input.Key}`);
      if (!object) throw s3Error('NoSuchKey', 404);
      return {
        Body: sdkStreamMixin(Readable.from(chunks(object.body))),
        ETag: object.etag,
        Metadata: object.metadata,
        ContentLength: object.body.length,
      };
    });
    m.on(HeadObjectCommand).callsFake(async (input) => {
      const object = this.objects.get(`${input.Bucket}/${input.Key}`);
      if (!object) throw s3Error('NotFound', 404);
      return { ETag: object.etag, Metadata: object.metadata, ContentLength: object.body.length };
    });
    m.on(PutObjectCommand).callsFake(async (input) => {
      const id = `${input.Bucket}/${input.Key}`;
      if (this.failPutsFor.has(input.Key ?? '')) {
        this.failPutsFor.delete(input.Key ?? '');
        throw s3Error('InternalError', 500);
      }
      const current = this.objects.get(id);
      if (input.IfNoneMatch === '*' && current) throw s3Error('PreconditionFailed', 412);
      if (input.IfMatch !== undefined && current?.etag !== input.IfMatch) {
        throw s3Error(current ? 'PreconditionFailed' : 'NoSuchKey', current ? 412 : 404);
      }
      const body = await toBuffer(input.Body);
      return { ETag: this.store(id, body, input.Metadata ?? {}) };
    });
    m.on(CreateMultipartUploadCommand).callsFake(async (input) => {
      const uploadId = `upload-${++this.counter}`;
      this.uploads.set(uploadId, { bucket: input.Bucket!, key: input.Key!, parts: new Map() });
      return { UploadId: uploadId };
    });
    m.on(UploadPartCommand).callsFake(async (input) => {
      const upload = this.uploads.get(input.UploadId!);
      if (!upload) throw s3Error('NoSuchUpload', 404);
      const body = await toBuffer(input.Body);
      upload.parts.set(input.PartNumber!, body);
      return { ETag: `"part-${input.PartNumber}"` };
    });
    m.on(CompleteMultipartUploadCommand).callsFake(async (input) => {
      const upload = this.uploads.get(input.UploadId!);
      if (!upload) throw s3Error('NoSuchUpload', 404);
      const numbers = (input.MultipartUpload?.Parts ?? []).map(
        (p: { PartNumber?: number }) => p.PartNumber!,
      );
      const body = Buffer.concat(numbers.map((n: number) => upload.parts.get(n)!));
      this.uploads.delete(input.UploadId!);
      return { ETag: this.store(`${upload.bucket}/${upload.key}`, body, {}) };
    });
    m.on(AbortMultipartUploadCommand).callsFake(async (input) => {
      this.uploads.delete(input.UploadId!);
      return {};
    });
  }

  private store(id: string, body: Buffer, metadata: Record<string, string>): string {
    const etag = `"${createHash('md5')
      .update(body)
      .update(String(++this.counter))
      .digest('hex')}"`;
    this.objects.set(id, { body, etag, metadata });
    return etag;
  }

  put(
    bucket: string,
    key: string,
    body: string | Buffer,
    metadata: Record<string, string> = {},
  ): string {
    return this.store(`${bucket}/${key}`, Buffer.from(body), metadata);
  }

  text(bucket: string, key: string): string | undefined {
    return this.objects.get(`${bucket}/${key}`)?.body.toString('utf8');
  }

  buffer(bucket: string, key: string): Buffer | undefined {
    return this.objects.get(`${bucket}/${key}`)?.body;
  }

  metadata(bucket: string, key: string): Record<string, string> | undefined {
    return this.objects.get(`${bucket}/${key}`)?.metadata;
  }

  keys(bucket: string): string[] {
    return [...this.objects.keys()]
      .filter((id) => id.startsWith(`${bucket}/`))
      .map((id) => id.slice(bucket.length + 1))
      .sort();
  }

  /** Number of multipart uploads started and not completed or aborted. */
  get openUploads(): number {
    return this.uploads.size;
  }

  restore(): void {
    this.mock.restore();
  }
}

/** The mocked client: aws-sdk-client-mock replaces `send` on every S3Client instance. */
export const newS3Client = (): S3Client => new S3Client({ region: 'cn-northwest-1' });
