/** A Lambda context for invoking handlers through middy in tests. */
export const lambdaContext = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'whopays-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'test-function-arn',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/whopays-test',
  logStreamName: '2025/11/04/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

/** Loads a JSON event fixture from test/fixtures/events/. */
export const loadEvent = async (name: string): Promise<unknown> => {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  return JSON.parse(await readFile(join(__dirname, '../../fixtures/events', name), 'utf8'));
};

export const fixtureText = async (name: string): Promise<string> => {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  return readFile(join(__dirname, '../../fixtures/events', name), 'utf8');
};
