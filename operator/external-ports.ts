import type { ExternalPorts, RosterHubInstance } from '../cdk8s/index.js';
import type { KubeObject } from './kube/kube-client.js';

/** The `port` of a connection Secret, when it holds a valid TCP port. Values stay here. */
function portOf(secret: KubeObject | undefined): number | undefined {
  const data = secret?.data;
  const encoded =
    typeof data === 'object' && data !== null ? (data as Record<string, unknown>).port : undefined;
  if (typeof encoded !== 'string') return undefined;
  const port = Number(Buffer.from(encoded, 'base64').toString('utf8').trim());
  return Number.isInteger(port) && port > 0 && port < 65_536 ? port : undefined;
}

/**
 * The ports the external PostgreSQL and Redis of an instance listen on, read from the
 * Secrets that name them (`externalSecretRef`), so that the NetworkPolicies open those ports
 * and no others. A Secret that is missing or holds no valid port leaves the default port; the
 * Secret check then reports the missing key.
 */
export async function readExternalPorts(
  instance: RosterHubInstance,
  readSecret: (name: string) => Promise<KubeObject | undefined>,
): Promise<ExternalPorts> {
  const { database, redis } = instance.spec;
  const read = async (mode: string, ref: { name: string } | undefined): Promise<number | undefined> =>
    mode === 'external' && ref ? portOf(await readSecret(ref.name)) : undefined;
  const postgres = await read(database.mode, database.externalSecretRef);
  const cache = await read(redis.mode, redis.externalSecretRef);
  return {
    ...(postgres === undefined ? {} : { postgres }),
    ...(cache === undefined ? {} : { redis: cache }),
  };
}
