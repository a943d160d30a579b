import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { s3Store } from '../adapters/s3-store.js';
import { builtOnFirstCall } from '../shared/cold-start.js';
import { loadStartConfig, readRuntimeDocument } from '../shared/config.js';
import { makeHandler } from './start-run.js';

// Created once per container; the config is read and validated on the first invocation, so a bad
// deployment fails loudly.
const store = s3Store(new S3Client({}));
export const handler = builtOnFirstCall(async () =>
  makeHandler({
    store,
    sfn: new SFNClient({}),
    config: loadStartConfig(process.env, await readRuntimeDocument(process.env, store)),
  }),
);
