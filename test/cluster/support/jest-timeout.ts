import { jest } from '@jest/globals';

/** Jest's own bound for each cluster test (and hook); tests themselves poll without time limits. */
export const CLUSTER_TEST_TIMEOUT_MS = 60_000;

jest.setTimeout(CLUSTER_TEST_TIMEOUT_MS);
