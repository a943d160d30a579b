import type { DeployConfig } from '../../lib/config.js';
import { synthesize } from './synth-helpers.js';

/** The parts of Amazon States Language the whopays state machine uses. */
export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
}

export interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly ResultPath?: string | null;
  readonly Next: string;
}

export interface AslState {
  readonly Type: 'Task' | 'Choice' | 'Succeed' | 'Fail' | 'Pass';
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly ResultSelector?: Record<string, unknown>;
  readonly ResultPath?: string | null;
  readonly TimeoutSeconds?: number;
  readonly Retry?: readonly Retrier[];
  readonly Catch?: readonly Catcher[];
  readonly Next?: string;
  readonly End?: boolean;
  readonly Choices?: readonly { Variable: string; StringEquals: string; Next: string }[];
  readonly Default?: string;
  readonly Error?: string;
}

export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
  readonly TimeoutSeconds?: number;
}

export interface SynthesizedMachine {
  readonly definition: AslDefinition;
  /** Logical id of the alert topic, as it appears in `{{Ref:<id>}}` placeholders. */
  readonly alertTopicId: string;
  /** Logical ids of the pipeline functions by service name suffix (`assemble-report` …). */
  readonly functionIds: Record<string, string>;
  readonly template: ReturnType<typeof synthesize>['template'];
}

/**
 * The state machine definition as Step Functions receives it: the template's Fn::Join with
 * `AWS::Partition` resolved to the config's partition, and every other Ref / GetAtt left as a
 * readable placeholder (`{{Ref:Id}}`, `{{Id.Arn}}`) so the JSON can be parsed and inspected.
 */
export function synthesizedMachine(config: DeployConfig): SynthesizedMachine {
  const { template } = synthesize(config);
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  if (machines.length !== 1) throw new Error(`expected one state machine, got ${machines.length}`);
  const body = machines[0]!.Properties.DefinitionString as unknown;
  const text = (part: unknown): string => {
    if (typeof part === 'string') return part;
    const object = part as Record<string, unknown>;
    if ('Ref' in object) {
      return object.Ref === 'AWS::Partition' ? config.partition : `{{Ref:${String(object.Ref)}}}`;
    }
    if ('Fn::GetAtt' in object) {
      const [id, attribute] = object['Fn::GetAtt'] as [string, string];
      return `{{${id}.${attribute}}}`;
    }
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(text).join(separator);
    }
    throw new Error(`unexpected intrinsic in the definition: ${JSON.stringify(part)}`);
  };
  const definition = JSON.parse(text(body)) as AslDefinition;
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties?: Record<string, unknown> }
  >;
  const alertTopicId = Object.keys(resources).find(
    (id) => resources[id]!.Type === 'AWS::SNS::Topic' && id.includes('AlertTopic'),
  );
  if (alertTopicId === undefined) throw new Error('no alert topic in the template');
  const functionIds: Record<string, string> = {};
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const env = (resource.Properties?.Environment as { Variables?: Record<string, unknown> })
      ?.Variables;
    const service = env?.POWERTOOLS_SERVICE_NAME;
    if (typeof service === 'string' && service.startsWith('whopays-')) {
      functionIds[service.slice('whopays-'.length)] = id;
    }
  }
  return { definition, alertTopicId, functionIds, template };
}
