import { AthenaClient } from '@aws-sdk/client-athena';
import { makeHandler } from './install-views.js';

// Created once per container.
export const handler = makeHandler({ athena: new AthenaClient({}) });
