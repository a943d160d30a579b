// Placeholder so `cdk synth` can bundle this function; replaced by the real handler.
export const handler = async (): Promise<void> => {
  throw new Error('not implemented yet');
};
