import { jest } from '@jest/globals';

// Jest's 5 s default fails real-service tests on a busy machine (imports, PostgreSQL restarts);
// a test that hangs still ends, after two minutes.
jest.setTimeout(120_000);
