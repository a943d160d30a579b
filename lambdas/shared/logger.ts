import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one Powertools logger of a function. Log keys, ids, counts and amounts of totals only: never
 * billing line items or report bodies (they are customer data and can be large).
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'whopays' });
