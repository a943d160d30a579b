import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { createBillingConductorClient } from '../adapters/billing-conductor.js';
import { s3Store } from '../adapters/s3-store.js';
import { loadAssembleConfig } from '../shared/config.js';
import { makeHandler } from './assemble-report.js';

// Created once per container; config is validated at cold start so a bad deployment fails loudly.
const config = loadAssembleConfig(process.env);
export const handler = makeHandler({
  athena: new AthenaClient({}),
  store: s3Store(new S3Client({})),
  config,
  ...(config.readFromBillingConductor ? { billingConductor: createBillingConductorClient() } : {}),
});
