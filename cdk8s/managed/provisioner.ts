import type { Construct } from 'constructs';
import {
  fromSecret,
  literal,
  type DataServiceClaim,
  type PostgresConnection,
  type RedisConnection,
} from '../claims/claim.js';
import type { InstanceContext } from '../context.js';
import type { InstanceSize } from '../spec/data-services.js';
import { componentLabels, databaseName, databaseUser, ports, type Component } from '../names.js';
import { egressToAnywhere } from '../network.js';

/**
 * Turns `mode: managed` into the cloud's own PostgreSQL and Redis, expressed as Kubernetes
 * resources of a provisioner running in the cluster. The one seam to swap the provisioner
 * (Azure Service Operator, AWS Controllers for Kubernetes, or e.g. Crossplane): the rest of
 * the synthesis only sees the claims it returns. See docs/managed-services.md.
 */
export interface ManagedServiceProvisioner {
  /** Short name, shown in docs and errors. */
  readonly id: string;
  /** Adds the resources of a managed PostgreSQL server and database to `scope`. */
  postgres(scope: Construct, context: InstanceContext): DataServiceClaim<PostgresConnection>;
  /** Adds the resources of a managed Redis to `scope`. */
  redis(scope: Construct, context: InstanceContext): DataServiceClaim<RedisConnection>;
  /** Connections RosterHub may open to a managed PostgreSQL server of this size. */
  postgresUserConnections(size: InstanceSize): number;
}

/** What {@link managedPostgresClaim} says about the two Secrets of a managed PostgreSQL server. */
export interface ManagedPostgresPurposes {
  /** Purpose of the generated credentials Secret (`password`) the provisioner sets on the server. */
  readonly passwordPurpose: string;
  /** Purpose of the connection Secret (`host`) the provisioner writes. */
  readonly hostPurpose: string;
}

/**
 * The claim of a managed PostgreSQL server, the same with every provisioner: the host from the
 * connection Secret the provisioner writes, the password from the generated credentials Secret,
 * TLS required, egress to anywhere on the PostgreSQL port.
 */
export function managedPostgresClaim(
  context: InstanceContext,
  purposes: ManagedPostgresPurposes,
): DataServiceClaim<PostgresConnection> {
  const { names } = context;
  return {
    connection: {
      host: fromSecret(names.postgresConnection, 'host'),
      port: literal(ports.postgres.number),
      username: literal(databaseUser),
      password: fromSecret(names.postgresCredentials, 'password'),
      database: literal(databaseName),
      // Azure's and RDS's certificates chain to roots the app trusts (lib/db/postgres-tls.ts).
      sslmode: literal('verify-full'),
    },
    egress: egressToAnywhere([ports.postgres.number]),
    secrets: [
      {
        name: names.postgresCredentials,
        component: 'postgres',
        keys: ['password'],
        origin: 'generate',
        purpose: purposes.passwordPurpose,
      },
      {
        name: names.postgresConnection,
        component: 'postgres',
        keys: ['host'],
        origin: 'provisioner',
        purpose: purposes.hostPurpose,
      },
    ],
  };
}

/** Metadata of a provisioner resource: its name, the component labels and extra annotations. */
export function managedMetadata(
  context: InstanceContext,
  component: Extract<Component, 'postgres' | 'redis'>,
  name: string,
  annotations: Record<string, string> = {},
): { name: string; labels: Record<string, string>; annotations?: Record<string, string> } {
  return {
    name,
    labels: componentLabels(context.name, component, context.spec.version),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
}
