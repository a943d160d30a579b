/**
 * What CloudFormation would put where a template has an intrinsic: plausible physical names and
 * ARNs of the stack's resources in one account, region and partition. The environment contract
 * and the IAM evaluation read the synthesized template through it, so both see the same deployment.
 */

export interface Deployed {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

const urlSuffix = (d: Deployed) =>
  d.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';

/** A plausible physical value for `Ref` on a resource, by type (what CloudFormation returns). */
export const refOf = (d: Deployed, logicalId: string): string => {
  switch (logicalId) {
    case 'AWS::AccountId':
      return d.account;
    case 'AWS::Region':
      return d.region;
    case 'AWS::Partition':
      return d.partition;
    case 'AWS::URLSuffix':
      return urlSuffix(d);
  }
  const resource = d.resources[logicalId];
  if (resource === undefined) throw new Error(`Ref to unknown resource ${logicalId}`);
  const name = logicalId.toLowerCase();
  switch (resource.Type) {
    case 'AWS::S3::Bucket':
      return `whopays-${name}`.slice(0, 63);
    case 'AWS::SNS::Topic':
      return `arn:${d.partition}:sns:${d.region}:${d.account}:${logicalId}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:${d.partition}:states:${d.region}:${d.account}:stateMachine:${logicalId}`;
    case 'AWS::SQS::Queue':
      return `https://sqs.${d.region}.${urlSuffix(d)}/${d.account}/${logicalId}`;
    case 'AWS::KMS::Key':
      return '1234abcd-12ab-34cd-56ef-1234567890ab';
    case 'AWS::Lambda::Function':
    case 'AWS::IAM::Role':
    case 'AWS::Logs::LogGroup':
      return logicalId;
    default:
      throw new Error(`no plausible Ref value for ${resource.Type} (${logicalId})`);
  }
};

/** A plausible value of `Fn::GetAtt [logicalId, attribute]`. */
export const attributeOf = (d: Deployed, logicalId: string, attribute: string): string => {
  const resource = d.resources[logicalId];
  if (resource === undefined) throw new Error(`GetAtt on unknown resource ${logicalId}`);
  const arn = (service: string, rest: string, region = d.region) =>
    `arn:${d.partition}:${service}:${region}:${d.account}:${rest}`;
  const key = `${resource.Type}.${attribute}`;
  switch (key) {
    case 'AWS::S3::Bucket.Arn':
      return `arn:${d.partition}:s3:::${refOf(d, logicalId)}`;
    case 'AWS::SNS::Topic.TopicArn':
    case 'AWS::StepFunctions::StateMachine.Arn':
      return refOf(d, logicalId);
    case 'AWS::SQS::Queue.Arn':
      return arn('sqs', logicalId);
    case 'AWS::SQS::Queue.QueueName':
      return logicalId;
    case 'AWS::KMS::Key.Arn':
      return arn('kms', `key/${refOf(d, logicalId)}`);
    case 'AWS::IAM::Role.Arn':
      return arn('iam', `role/${logicalId}`, '');
    case 'AWS::Lambda::Function.Arn':
      return arn('lambda', `function:${logicalId}`);
    case 'AWS::Logs::LogGroup.Arn':
      return arn('logs', `log-group:${logicalId}:*`);
    default:
      throw new Error(`no plausible value for Fn::GetAtt ${key} (${logicalId})`);
  }
};

/** Replaces Ref / Fn::GetAtt / Fn::Join / Fn::Sub by strings; any other intrinsic fails loudly. */
export const resolve = (d: Deployed, value: unknown): string => {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) {
    throw new Error(`value is not a string: ${JSON.stringify(value)}`);
  }
  const [[fn, arg]] = Object.entries(value) as [[string, unknown]];
  switch (fn) {
    case 'Ref':
      return refOf(d, arg as string);
    case 'Fn::GetAtt': {
      const [id, attribute] = arg as [string, string];
      return attributeOf(d, id, attribute);
    }
    case 'Fn::Join': {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((part) => resolve(d, part)).join(separator);
    }
    case 'Fn::Sub':
      // Pseudo parameters only, as in the bootstrap assets bucket name.
      return (arg as string).replace(/\$\{([^}]+)\}/g, (_, name: string) => refOf(d, name));
    default:
      throw new Error(`unexpected intrinsic ${fn}`);
  }
};

/** Resolves every string-valued leaf of a policy document (or any JSON) to plain text. */
export const resolveDeep = (d: Deployed, value: unknown): unknown => {
  if (Array.isArray(value)) return value.map((v) => resolveDeep(d, v));
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) {
    return resolve(d, value);
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, resolveDeep(d, v)]),
  );
};

type TemplateResources = Deployed['resources'];

/** Each whopays function's environment as the deployed Lambda sees it (AWS_REGION included). */
export const functionEnvironments = (d: Deployed): Map<string, Record<string, string>> => {
  const envs = new Map<string, Record<string, string>>();
  for (const fn of Object.values(d.resources as TemplateResources)) {
    if (fn.Type !== 'AWS::Lambda::Function') continue;
    const variables = ((fn.Properties?.Environment as { Variables?: Record<string, unknown> })
      ?.Variables ?? {}) as Record<string, unknown>;
    const service = variables.POWERTOOLS_SERVICE_NAME;
    if (typeof service !== 'string' || !service.startsWith('whopays-')) continue;
    const env: Record<string, string> = { AWS_REGION: d.region };
    for (const [key, value] of Object.entries(variables)) env[key] = resolve(d, value);
    envs.set(service.slice('whopays-'.length), env);
  }
  return envs;
};

/** Each whopays function's execution role ARN, by function name (`start-run`, …). */
export const functionRoles = (d: Deployed): Map<string, string> => {
  const roles = new Map<string, string>();
  for (const fn of Object.values(d.resources)) {
    if (fn.Type !== 'AWS::Lambda::Function') continue;
    const service = (fn.Properties?.Environment as { Variables?: Record<string, unknown> })
      ?.Variables?.POWERTOOLS_SERVICE_NAME;
    if (typeof service !== 'string' || !service.startsWith('whopays-')) continue;
    roles.set(service.slice('whopays-'.length), resolve(d, fn.Properties?.Role));
  }
  return roles;
};

/** Logical ids of the resources of one type whose id starts with `prefix`. */
export const logicalIds = (d: Deployed, type: string, prefix = ''): string[] =>
  Object.entries(d.resources)
    .filter(([id, r]) => r.Type === type && id.startsWith(prefix))
    .map(([id]) => id);
