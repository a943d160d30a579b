import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

/** S3 puts quotes around ETags in API answers but not in event notifications. */
export const bareEtag = (etag: string | undefined): string => (etag ?? '').replace(/"/g, '');

export const headEtag = async (s3: S3Client, bucket: string, key: string): Promise<string> =>
  bareEtag((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag);

/** The object's body as a stream of chunks (never read whole into memory). */
export const readObjectStream = async (
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<AsyncIterable<Uint8Array>> => {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!out.Body) throw new Error(`s3://${bucket}/${key} has no body`);
  return out.Body as AsyncIterable<Uint8Array>;
};

/** S3's minimum part size is 5 MiB (except the last part). */
const PART_SIZE = 8 * 1024 * 1024;

/**
 * Uploads a stream of unknown length with a multipart upload, holding at most one part in
 * memory. A failure aborts the upload, so no partial object ever appears.
 *
 * @returns the number of bytes written.
 */
export const uploadStream = async (
  s3: S3Client,
  bucket: string,
  key: string,
  body: AsyncIterable<Uint8Array>,
  contentType: string,
): Promise<number> => {
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }),
  );
  const parts: { ETag: string; PartNumber: number }[] = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;
  const flush = async (): Promise<void> => {
    const PartNumber = parts.length + 1;
    const out = await s3.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        PartNumber,
        Body: Buffer.concat(pending),
      }),
    );
    parts.push({ ETag: out.ETag ?? '', PartNumber });
    pending = [];
    pendingBytes = 0;
  };
  try {
    for await (const chunk of body) {
      pending.push(Buffer.from(chunk));
      pendingBytes += chunk.length;
      total += chunk.length;
      if (pendingBytes >= PART_SIZE) await flush();
    }
    if (pendingBytes > 0 || parts.length === 0) await flush();
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    return total;
  } catch (error) {
    await s3
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }))
      .catch(() => undefined);
    throw error;
  }
};
