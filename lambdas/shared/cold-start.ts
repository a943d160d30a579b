/**
 * A handler whose dependencies need an asynchronous setup (the config object in S3): built by the
 * first invocation of a container and reused by the next ones. A failed build is not kept, so a
 * transient S3 error costs one invocation, not the container; a bad config fails every invocation
 * with its ConfigError, loudly.
 *
 * Not top-level await: the same modules run in the CommonJS test runner.
 */
export const builtOnFirstCall = <A extends unknown[], R>(
  build: () => Promise<(...args: A) => Promise<R>>,
): ((...args: A) => Promise<R>) => {
  let ready: Promise<(...args: A) => Promise<R>> | undefined;
  return async (...args: A): Promise<R> => {
    ready ??= build().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return (await ready)(...args);
  };
};
