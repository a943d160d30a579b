import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, RuntimeFamily, Tracing } from 'aws-cdk-lib/aws-lambda';
import {
  NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
  SourceMapMode,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV } from '../lambdas/shared/env.js';

/** The pipeline functions; each one is `lambdas/<name>/handler.ts`. */
export type PipelineFunctionName =
  | 'start-run'
  | 'normalize-dbr'
  | 'assemble-report'
  | 'publish-report'
  /** Deploy time only: the custom resource that creates the analyst views in Athena. */
  | 'install-views';

export interface PipelineFunctionProps
  extends Omit<NodejsFunctionProps, 'entry' | 'runtime' | 'architecture'> {
  /** Which handler under `lambdas/` this function runs. */
  readonly functionName: PipelineFunctionName;
  /** Repository root: `lambdas/`, `sql/` and `package-lock.json` are resolved from it. */
  readonly projectRoot: string;
  /** Pinned runtime name from the deploy config, e.g. `nodejs22.x`. */
  readonly runtimeName: string;
  /** Lambda architecture from the deploy config. */
  readonly architectureName: 'x86_64' | 'arm64';
  /** Days CloudWatch keeps the function's logs. */
  readonly logRetention: RetentionDays;
  /**
   * X-Ray active tracing; pass false in aws-cn, where Lambda lacks it.
   * @default false
   */
  readonly activeTracing?: boolean;
}

/**
 * A pipeline Lambda with the house defaults: pinned runtime and architecture from the config (never
 * `NODEJS_LATEST`, which moves), an ESM bundle with source maps, `.sql` files inlined as text (so an
 * SQL edit changes the asset hash and redeploys), its own log group with retention, and DuckDB
 * (a native module used only by the CLI) kept out of the bundle.
 */
export class PipelineFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    const {
      functionName,
      projectRoot,
      runtimeName,
      architectureName,
      logRetention,
      activeTracing,
      bundling,
      environment,
      ...rest
    } = props;
    if (!/^nodejs(2[2-9]|[3-9]\d)\.x$/.test(runtimeName)) {
      throw new Error(`runtime must be pinned to nodejs22.x or later, got "${runtimeName}"`);
    }
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      ...rest,
      entry: join(projectRoot, 'lambdas', functionName, 'handler.ts'),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      runtime: new Runtime(runtimeName, RuntimeFamily.NODEJS, { supportsInlineCode: true }),
      architecture: architectureName === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
      memorySize: rest.memorySize ?? 512,
      timeout: rest.timeout ?? Duration.minutes(1),
      tracing: (activeTracing ?? false) ? Tracing.ACTIVE : Tracing.DISABLED,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        [ENV.POWERTOOLS_SERVICE_NAME]: `whopays-${functionName}`,
        [ENV.POWERTOOLS_LOG_LEVEL]: 'INFO',
        ...environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        // ESM output still meets CommonJS dependencies that call require() on Node builtins.
        banner:
          "import { createRequire as __whopaysCreateRequire } from 'node:module'; const require = __whopaysCreateRequire(import.meta.url);",
        loader: { '.sql': 'text' },
        // The SDK is bundled (pinned by package-lock) instead of taken from the runtime; DuckDB is
        // a native module the Lambdas never use.
        externalModules: ['@duckdb/node-api'],
        ...bundling,
      },
    });
  }
}
