import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { databaseName, databaseUser, ports } from '../names.js';
import { resourceRequirements, restrictedContainerSecurityContext, scratchVolume } from '../pod-security.js';
import { postgresArgs, postgresSizing } from './postgres-settings.js';
import { SingleServerStatefulSet } from './single-server-stateful-set.js';
import { fromSecret, literal, type DataServiceClaim, type PostgresConnection } from './claim.js';

/** UID of the `postgres` user in the official Debian-based image. */
const postgresUser = 999;

/** Props of {@link InClusterPostgres}. */
export interface InClusterPostgresProps {
  readonly context: InstanceContext;
}

/**
 * PostgreSQL in the cluster: a one-replica StatefulSet of the official image run as its
 * non-root user, a PersistentVolumeClaim per Pod, and the headless Service the app connects
 * through. Memory and WAL settings and a memory-backed /dev/shm are sized from the spec
 * (see postgres-settings.ts). The password comes from the credentials Secret the operator generates.
 */
export class InClusterPostgres extends Construct {
  /** How the app reaches this server. */
  readonly claim: DataServiceClaim<PostgresConnection>;

  constructor(scope: Construct, id: string, props: InClusterPostgresProps) {
    super(scope, id);
    const { context } = props;
    const { names, spec } = context;
    const database = spec.database;
    const password = { secretKeyRef: { name: names.postgresCredentials, key: 'password' } };
    const sizing = postgresSizing(database.resources.limits.memory, database.storage.size);
    const isReady = {
      exec: { command: ['pg_isready', '-h', '127.0.0.1', '-U', databaseUser, '-d', databaseName] },
    };

    const server = new SingleServerStatefulSet(this, 'Server', {
      context,
      component: 'postgres',
      name: names.postgres,
      port: ports.postgres,
      runAsUser: postgresUser,
      terminationGracePeriodSeconds: 60,
      container: {
        name: 'postgres',
        image: database.image ?? `docker.io/library/postgres:${database.version}-bookworm`,
        imagePullPolicy: 'IfNotPresent',
        // The image's entrypoint runs `postgres` with these when the first argument starts with `-`.
        args: postgresArgs(sizing.settings),
        env: [
          { name: 'POSTGRES_USER', value: databaseUser },
          { name: 'POSTGRES_DB', value: databaseName },
          { name: 'POSTGRES_PASSWORD', valueFrom: password },
          { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
        ],
        ports: [{ name: ports.postgres.name, containerPort: ports.postgres.number }],
        startupProbe: { ...isReady, periodSeconds: 5, failureThreshold: 60, timeoutSeconds: 5 },
        readinessProbe: { ...isReady, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 },
        livenessProbe: {
          tcpSocket: { port: k8s.IntOrString.fromString(ports.postgres.name) },
          periodSeconds: 10,
          failureThreshold: 6,
        },
        resources: resourceRequirements(database.resources),
        securityContext: restrictedContainerSecurityContext(),
        volumeMounts: [
          { name: 'data', mountPath: '/var/lib/postgresql/data' },
          { name: 'run', mountPath: '/var/run/postgresql' },
          { name: 'tmp', mountPath: '/tmp' },
          // The runtime's 64MB /dev/shm is too small for parallel query and parallel index builds.
          { name: 'shm', mountPath: '/dev/shm' },
        ],
      },
      volumes: [
        scratchVolume('run', '16Mi'),
        scratchVolume('tmp'),
        scratchVolume('shm', sizing.sharedMemory, 'Memory'),
      ],
      storage: database.storage,
      deletionPolicy: database.deletionPolicy,
    });

    this.claim = {
      connection: {
        host: literal(names.postgres),
        port: literal(ports.postgres.number),
        username: literal(databaseUser),
        password: fromSecret(names.postgresCredentials, 'password'),
        database: literal(databaseName),
        sslmode: literal('disable'),
      },
      egress: server.clientEgress,
      secrets: [
        {
          name: names.postgresCredentials,
          component: 'postgres',
          keys: ['password'],
          origin: 'generate',
          purpose: 'password of the in-cluster PostgreSQL role',
        },
      ],
    };
  }
}
