import { S3Client } from '@aws-sdk/client-s3';
import { makeHandler } from './normalize-dbr.js';

// Created once per container.
export const handler = makeHandler({ s3: new S3Client({}) });
