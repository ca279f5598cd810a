import { waitFor } from './support/cluster.js';
import {
  applyInstance,
  createDistrictNamespace,
  deleteInstance,
  districtInstance,
  getObject,
  instanceSelector,
  listObjects,
  readInstance,
  waitForCondition,
} from './operator-fixtures.js';
import { useOperatorSuite } from './support/operator-suite.js';
import type { KubeObject } from '../../operator/kube/kube-client.js';

const suite = useOperatorSuite('deletion');

// The garbage collector learns of a new CRD on its next discovery sync (every 30 s), so the
// first deletion in a fresh cluster can wait that long for the dependents to go.
const DELETION_TIMEOUT_MS = 120_000;

const CLAIMS = ['data-district-postgres-0', 'data-district-redis-0', 'district-backups'];
const SECRETS = ['district-postgres-credentials', 'district-redis-credentials'];

const claimNames = async (namespace: string) =>
  (await listObjects('v1', 'PersistentVolumeClaim', namespace)).map((claim) => claim.metadata.name).sort();

/** Workloads, Services and policies of the district that are still there. */
async function leftovers(namespace: string): Promise<string[]> {
  const kinds = [
    ['apps/v1', 'Deployment'],
    ['apps/v1', 'StatefulSet'],
    ['batch/v1', 'CronJob'],
    ['v1', 'Service'],
    ['v1', 'ConfigMap'],
    ['networking.k8s.io/v1', 'NetworkPolicy'],
  ] as const;
  const names: string[] = [];
  for (const [apiVersion, kind] of kinds) {
    for (const object of await listObjects(apiVersion, kind, namespace, instanceSelector('district'))) {
      names.push(`${kind}/${object.metadata.name}`);
    }
  }
  return names;
}

const secretData = async (namespace: string, name: string) =>
  (await getObject('v1', 'Secret', namespace, name))?.data as Record<string, string> | undefined;

describe('deleting a district', () => {
  it(
    'When an instance with deletionPolicy Retain (the default) is deleted, then its volumes and generated credentials stay, and a new instance of the same name takes them up',
    async () => {
      const namespace = await createDistrictNamespace('retain');
      await suite.startOperator({ namespaces: [namespace] });
      await applyInstance(districtInstance('district', namespace));
      await waitForCondition(namespace, 'district', 'Ready');
      expect(await claimNames(namespace)).toEqual(CLAIMS);
      const credentials = await secretData(namespace, SECRETS[0]!);
      const volumes = (await listObjects('v1', 'PersistentVolumeClaim', namespace)).map(
        (claim) => (claim.spec as { volumeName: string }).volumeName,
      );

      await deleteInstance(namespace, 'district');
      await waitFor(async () => (await readInstance(namespace, 'district')) === undefined);
      await waitFor(async () => (await leftovers(namespace)).length === 0);
      await waitFor(async () => (await listObjects('v1', 'Pod', namespace)).length === 0);

      const claims = await listObjects('v1', 'PersistentVolumeClaim', namespace);
      expect(
        claims.map((claim) => [claim.metadata.name, (claim.status as { phase: string }).phase]).sort(),
      ).toEqual(CLAIMS.map((name) => [name, 'Bound']));
      for (const name of SECRETS) expect(await getObject('v1', 'Secret', namespace, name)).toBeDefined();

      // Recreated: the StatefulSets bind the same claims and the app gets the same password.
      await applyInstance(districtInstance('district', namespace));
      await waitForCondition(namespace, 'district', 'Ready');
      expect(await secretData(namespace, SECRETS[0]!)).toEqual(credentials);
      const after = (await listObjects('v1', 'PersistentVolumeClaim', namespace)).map(
        (claim) => (claim.spec as { volumeName: string }).volumeName,
      );
      expect(after.sort()).toEqual([...volumes].sort());
    },
    DELETION_TIMEOUT_MS,
  );

  it(
    'When an instance with deletionPolicy Delete is deleted, then its volumes and generated credentials go with it',
    async () => {
      const namespace = await createDistrictNamespace('delete');
      await suite.startOperator({ namespaces: [namespace] });
      await applyInstance(
        districtInstance('district', namespace, {
          database: { deletionPolicy: 'Delete' },
          redis: { deletionPolicy: 'Delete' },
        }),
      );
      await waitForCondition(namespace, 'district', 'Ready');
      expect(await claimNames(namespace)).toEqual(CLAIMS);
      const owned = (object: KubeObject | undefined) => object?.metadata.ownerReferences?.[0]?.kind;
      expect(owned(await getObject('v1', 'Secret', namespace, SECRETS[0]!))).toBe('RosterHubInstance');

      await deleteInstance(namespace, 'district');
      await waitFor(async () => (await leftovers(namespace)).length === 0);
      await waitFor(async () => (await claimNames(namespace)).length === 0);
      await waitFor(async () => {
        for (const name of SECRETS) if (await getObject('v1', 'Secret', namespace, name)) return false;
        return true;
      });
    },
    DELETION_TIMEOUT_MS,
  );
});
