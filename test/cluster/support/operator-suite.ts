// The hooks every operator test file shares. Not in operator-fixtures.ts: the benchmarks import
// that file compiled, outside jest, where beforeAll and friends do not exist.
import {
  createOperatorIdentity,
  installOperatorCrd,
  startOperator,
  type InProcessOperator,
  type OperatorIdentity,
  type OperatorOptions,
} from '../operator-fixtures.js';

export interface OperatorSuite {
  /** The file's operator identity; there from the file's first test on (its beforeAll). */
  readonly identity: OperatorIdentity;
  /** Starts the operator in this process under the file's identity; it stops after the test. */
  startOperator(options: OperatorOptions): Promise<InProcessOperator>;
}

/**
 * Registers the hooks of an operator test file: beforeAll installs the CRD and creates the
 * operator identity (namespace `<prefix>-operator-…`), afterEach stops the operators the test
 * started, afterAll removes the identity. Hooks a file registers before calling this run
 * before these (jest runs hooks of one block in the order they were registered).
 */
export function useOperatorSuite(prefix: string): OperatorSuite {
  let identity: OperatorIdentity | undefined;
  const running: InProcessOperator[] = [];

  beforeAll(async () => {
    await installOperatorCrd();
    identity = await createOperatorIdentity(prefix);
  });

  afterEach(async () => {
    for (const operator of running.splice(0)) await operator.stop();
  });

  afterAll(async () => {
    await identity?.remove();
  });

  const suite: OperatorSuite = {
    get identity(): OperatorIdentity {
      if (!identity) throw new Error(`the operator identity of '${prefix}' is created in beforeAll`);
      return identity;
    },
    async startOperator(options) {
      const operator = await startOperator(suite.identity, options);
      running.push(operator);
      return operator;
    },
  };
  return suite;
}
