import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import type { RuntimeDocument } from '../lambdas/shared/config.js';
import { ENV } from '../lambdas/shared/env.js';

export interface RuntimeConfigProps {
  /** What the functions read at cold start (RuntimeDocumentSchema of lambdas/shared/config.ts). */
  readonly document: RuntimeDocument;
}

/**
 * The config object: the deploy config's settings that grow with the organization (sources,
 * billing groups, budgets policy) as one JSON object, published at deploy as a file asset (to the
 * bootstrap assets bucket, next to the function code) and read by the functions once per cold
 * start. Lambda's environment variables hold 4 KB in all; this holds thousands of accounts.
 *
 * The object's key is its content hash, so a config change is a new object and a new environment
 * value: the functions restart on the new config, never on half of it.
 */
export class RuntimeConfig extends Construct {
  readonly document: RuntimeDocument;
  private readonly asset: Asset;

  constructor(scope: Construct, id: string, props: RuntimeConfigProps) {
    super(scope, id);
    this.document = props.document;
    const text = `${JSON.stringify(props.document, null, 1)}\n`;
    // Content-addressed, so synthesizing the same config twice writes one file.
    const dir = join(tmpdir(), 'whopays-config');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${createHash('sha256').update(text).digest('hex')}.json`);
    writeFileSync(file, text);
    this.asset = new Asset(this, 'Object', { path: file });
  }

  /** Tells `fn` where the object is and lets it read exactly that object. */
  bind(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.CONFIG_BUCKET, this.asset.s3BucketName);
    fn.addEnvironment(ENV.CONFIG_KEY, this.asset.s3ObjectKey);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.asset.bucket.arnForObjects(this.asset.s3ObjectKey)],
      }),
    );
  }
}
