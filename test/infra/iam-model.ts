import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Template } from 'aws-cdk-lib/assertions';
import { attributeOf, type Deployed, resolveDeep } from './deployed.js';

/**
 * The IAM of a synthesized stack as AWS would evaluate it: each role with its identity policies,
 * and each resource policy (bucket, topic, queue, key) by the ARN of its resource, every
 * intrinsic resolved to the deployment's names (deployed.ts). Evaluation is delegated to
 * @cloud-copilot/iam-simulate (AGPL-3.0, a test-only devDependency: never bundled).
 */

type Statement = Record<string, unknown>;
interface Document {
  Version?: string;
  Statement: Statement[];
}

/** One request AWS would authorize. */
export interface IamRequest {
  /** Role ARN, or a service principal (`cloudwatch.amazonaws.com`). */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
  /** Who makes it and why, for the failure message. */
  readonly why: string;
}

export interface Verdict {
  readonly request: IamRequest;
  readonly allowed: boolean;
  readonly detail: string;
}

interface ResourcePolicy {
  readonly id: string;
  readonly document: Document;
}

const asArray = <T>(v: T | T[] | undefined): T[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** `<policy logical id>#<Sid or 1-based position>`: how a statement is named in reports. */
const statementName = (policyId: string, statement: Statement, index: number): string =>
  `${policyId}#${(statement.Sid as string | undefined) ?? String(index + 1)}`;

export class StackIam {
  /** Role ARN → identity policies, one statement each (so a use names its statement). */
  private readonly identity = new Map<string, Array<{ name: string; policy: Document }>>();
  /** Resource ARN (bucket, topic, queue, key) → its resource policy. */
  private readonly resourcePolicies = new Map<string, ResourcePolicy>();
  /** Every Allow statement, by name: what `unused()` reports. */
  private readonly allows = new Map<string, Statement>();
  private readonly used = new Set<string>();
  /** Role logical id → role ARN. */
  readonly roles = new Map<string, string>();

  constructor(
    readonly deployed: Deployed,
    template: Template,
  ) {
    const d = deployed;
    const resources = template.toJSON().Resources as Deployed['resources'];
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type === 'AWS::IAM::Role') {
        const arn = attributeOf(d, id, 'Arn');
        this.roles.set(id, arn);
        this.identity.set(arn, []);
      }
    }
    const addIdentity = (roleId: string, policyId: string, raw: unknown) => {
      const document = resolveDeep(d, raw) as Document;
      const list = this.identity.get(attributeOf(d, roleId, 'Arn'));
      if (list === undefined)
        throw new Error(`policy ${policyId} attached to unknown role ${roleId}`);
      asArray(document.Statement).forEach((statement, index) => {
        const name = statementName(policyId, statement, index);
        list.push({ name, policy: { Version: '2012-10-17', Statement: [statement] } });
        if (statement.Effect === 'Allow') this.allows.set(name, statement);
      });
    };
    for (const [id, r] of Object.entries(resources)) {
      const p = r.Properties ?? {};
      switch (r.Type) {
        case 'AWS::IAM::Policy':
          for (const role of asArray(p.Roles as Array<{ Ref: string }>)) {
            addIdentity(role.Ref, id, p.PolicyDocument);
          }
          break;
        case 'AWS::IAM::Role':
          for (const inline of asArray(
            p.Policies as Array<{ PolicyName: string; PolicyDocument: unknown }>,
          )) {
            addIdentity(id, `${id}.${inline.PolicyName}`, inline.PolicyDocument);
          }
          break;
        case 'AWS::S3::BucketPolicy':
          this.addResourcePolicy(
            `arn:${d.partition}:s3:::${resolveDeep(d, p.Bucket) as string}`,
            id,
            p.PolicyDocument,
          );
          break;
        case 'AWS::SNS::TopicPolicy':
          for (const topic of asArray(p.Topics)) {
            this.addResourcePolicy(resolveDeep(d, topic) as string, id, p.PolicyDocument);
          }
          break;
        case 'AWS::SQS::QueuePolicy':
          for (const queue of asArray(p.Queues as Array<{ Ref: string }>)) {
            this.addResourcePolicy(attributeOf(d, queue.Ref, 'Arn'), id, p.PolicyDocument);
          }
          break;
        case 'AWS::KMS::Key':
          this.addResourcePolicy(attributeOf(d, id, 'Arn'), id, p.KeyPolicy);
          break;
      }
    }
  }

  private addResourcePolicy(arn: string, id: string, raw: unknown): void {
    const document = resolveDeep(this.deployed, raw) as Document;
    if (this.resourcePolicies.has(arn)) throw new Error(`two resource policies for ${arn}`);
    this.resourcePolicies.set(arn, { id, document });
    asArray(document.Statement).forEach((statement, index) => {
      if (statement.Effect === 'Allow')
        this.allows.set(statementName(id, statement, index), statement);
    });
  }

  /** The resource policy that governs `resource`: its bucket's for an object. */
  private resourcePolicyOf(resource: string): ResourcePolicy | undefined {
    const s3 = /^arn:[^:]+:s3:::([^/]+)/.exec(resource);
    return this.resourcePolicies.get(
      s3 ? `arn:${this.deployed.partition}:s3:::${s3[1]}` : resource,
    );
  }

  /** Evaluates one request; records which Allow statements granted it. */
  async evaluate(request: IamRequest): Promise<Verdict> {
    const isService = !request.principal.startsWith('arn:');
    const identityPolicies = isService ? [] : this.identity.get(request.principal);
    if (identityPolicies === undefined) {
      return { request, allowed: false, detail: `unknown principal ${request.principal}` };
    }
    const resourcePolicy = this.resourcePolicyOf(request.resource);
    const result = await runSimulation(
      {
        request: {
          principal: request.principal,
          action: request.action,
          resource: { resource: request.resource, accountId: this.deployed.account },
          contextVariables: { 'aws:SecureTransport': 'true', ...(request.context ?? {}) },
        },
        identityPolicies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(resourcePolicy === undefined ? {} : { resourcePolicy: resourcePolicy.document }),
      },
      {},
    );
    if (result.resultType === 'error') {
      return {
        request,
        allowed: false,
        detail: `simulator error: ${JSON.stringify(result.errors)}`,
      };
    }
    const analyses =
      result.resultType === 'single'
        ? [result.result.analysis]
        : result.results.map((r) => r.analysis);
    for (const analysis of analyses) {
      // Identity statements are one per policy, named by statementName.
      for (const s of analysis?.identityAnalysis?.allowStatements ?? []) this.used.add(s.policyId!);
      if (resourcePolicy !== undefined) {
        for (const s of analysis?.resourceAnalysis?.allowStatements ?? []) {
          this.used.add(`${resourcePolicy.id}#${s.explain.identifier}`);
        }
      }
    }
    return {
      request,
      allowed: result.overallResult === 'Allowed',
      detail: `${result.overallResult}${resourcePolicy ? ` (resource policy ${resourcePolicy.id})` : ''}`,
    };
  }

  /**
   * Resource-policy Allow statements that name a service principal without saying on whose
   * behalf (aws:SourceAccount or aws:SourceArn): any account's use of that service could reach
   * the resource (the confused deputy of the IAM user guide).
   */
  unscopedServiceGrants(): string[] {
    const out: string[] = [];
    for (const [arn, { id, document }] of this.resourcePolicies) {
      asArray(document.Statement).forEach((statement, index) => {
        const principal = statement.Principal as { Service?: unknown } | undefined;
        if (statement.Effect !== 'Allow' || principal?.Service === undefined) return;
        const keys = Object.values((statement.Condition ?? {}) as Record<string, object>).flatMap(
          (c) => Object.keys(c),
        );
        if (!keys.some((k) => k === 'aws:SourceAccount' || k === 'aws:SourceArn')) {
          out.push(
            `${statementName(id, statement, index)} on ${arn}: ${JSON.stringify(principal.Service)}`,
          );
        }
      });
    }
    return out;
  }

  /** Allow statements that no evaluated request used, each with its actions and resources. */
  unused(): string[] {
    return [...this.allows.entries()]
      .filter(([name]) => !this.used.has(name))
      .map(([name, s]) => `${name} ${JSON.stringify(s.Action)} on ${JSON.stringify(s.Resource)}`)
      .sort();
  }
}
