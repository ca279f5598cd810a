import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Three projects: `unit` needs no services, `integration` talks to the real PostgreSQL and
// Redis that `make test` starts, `cluster` runs against a real Kubernetes control plane.
const esmTypeScript = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};

// The acceptance suite imports real packages that live beside the repository, not in it (their
// licences keep them out): without them it is left out of the run, and that is said.
const acceptanceSuite = '<rootDir>/test/integration/imports/acceptance.test.ts';
const samplesPresent = existsSync(fileURLToPath(new URL('../shared/oneroster-samples/', import.meta.url)));
if (!samplesPresent)
  process.stderr.write(
    'acceptance suite not run: ../shared/oneroster-samples does not exist beside the repository\n',
  );

export default {
  projects: [
    { ...esmTypeScript, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...esmTypeScript,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...(samplesPresent ? [] : [acceptanceSuite])],
      globalSetup: '<rootDir>/test/helpers/integration-global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/integration-timeout.ts'],
    },
    {
      ...esmTypeScript,
      displayName: 'cluster',
      testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
      // One control plane per jest run (scripts/k8s-testbin.sh first; a missing binary fails
      // the run); KUBECONFIG carries its admin kubeconfig to the workers.
      // Run this project with --runInBand (make test does): some files change what the whole
      // cluster shares — the operator tests stop kube-apiserver and remove the ServiceMonitor
      // CRD for a while (putting it back after) — so files must not overlap. Order does not
      // matter: each file leaves the shared state as the others expect it.
      globalSetup: '<rootDir>/test/cluster/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/cluster/support/global-teardown.ts',
      // Raises jest's per-test timeout to 60 s for this project: Pods, Jobs and namespace
      // deletion take seconds. (Jest 30 reads `testTimeout` only from the top-level config.)
      setupFilesAfterEnv: ['<rootDir>/test/cluster/support/jest-timeout.ts'],
    },
  ],
};
