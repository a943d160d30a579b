import { EXAMPLES, exampleConfig, synthesize } from './synth-helpers.js';

/** Defect 9 of issue 10: operations settings of the deployed stack. */
describe.each(EXAMPLES)('operations of the %s example', (name) => {
  const { template } = synthesize(exampleConfig(name));
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;

  it('keeps replaced billing files 3 days, not 30 (AWS rewrites the month up to 3 times a day)', () => {
    const [cur] = Object.entries(resources).filter(
      ([id, r]) => r.Type === 'AWS::S3::Bucket' && id.startsWith('CurBucket'),
    );
    const rules = (
      cur![1].Properties.LifecycleConfiguration as {
        Rules: Array<{ NoncurrentVersionExpiration?: { NoncurrentDays: number } }>;
      }
    ).Rules;
    const days = rules.flatMap((r) => r.NoncurrentVersionExpiration?.NoncurrentDays ?? []);
    expect(days).toEqual([3]);
  });

  it('gives every Lambda function, CDK’s custom-resource functions included, a log group with retention', () => {
    const functions = Object.entries(resources).filter(
      ([, r]) => r.Type === 'AWS::Lambda::Function',
    );
    expect(functions.length).toBeGreaterThanOrEqual(7);
    const missing = functions
      .filter(([, fn]) => {
        const ref = (fn.Properties.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)
          ?.LogGroup?.Ref;
        const group = ref === undefined ? undefined : resources[ref];
        return (
          group?.Type !== 'AWS::Logs::LogGroup' || group.Properties.RetentionInDays === undefined
        );
      })
      .map(([id]) => id);
    expect(missing).toEqual([]);
  });
});
