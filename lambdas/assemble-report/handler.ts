import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { createBillingConductorClient } from '../adapters/billing-conductor.js';
import { s3Store } from '../adapters/s3-store.js';
import { builtOnFirstCall } from '../shared/cold-start.js';
import { loadAssembleConfig, readRuntimeDocument } from '../shared/config.js';
import { makeHandler } from './assemble-report.js';

// Created once per container; the config is read and validated on the first invocation, so a bad
// deployment fails loudly.
const store = s3Store(new S3Client({}));
export const handler = builtOnFirstCall(async () => {
  const config = loadAssembleConfig(process.env, await readRuntimeDocument(process.env, store));
  return makeHandler({
    athena: new AthenaClient({}),
    store,
    config,
    ...(config.readFromBillingConductor
      ? { billingConductor: createBillingConductorClient() }
      : {}),
  });
});
