import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { s3Store } from '../adapters/s3-store.js';
import { loadStartConfig } from '../shared/config.js';
import { makeHandler } from './start-run.js';

// Created once per container; config is validated at cold start so a bad deployment fails loudly.
export const handler = makeHandler({
  store: s3Store(new S3Client({})),
  sfn: new SFNClient({}),
  config: loadStartConfig(process.env),
});
