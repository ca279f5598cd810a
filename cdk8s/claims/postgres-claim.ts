import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { ports } from '../names.js';
import { egressToAnywhere } from '../network.js';
import { externalClaim, type DataServiceClaim, type PostgresConnection } from './claim.js';
import { InClusterPostgres } from './in-cluster-postgres.js';

/** Props of {@link PostgresClaim}. */
export interface PostgresClaimProps {
  readonly context: InstanceContext;
}

/**
 * PostgreSQL for one instance, whatever `spec.database.mode` says: `inCluster` builds the
 * server, `managed` asks the platform's provisioner, `external` reads the user's Secret. Each
 * ends in the same {@link PostgresConnection}.
 */
export class PostgresClaim extends Construct {
  /** Connection settings, egress rules and the Secrets they read. */
  readonly claim: DataServiceClaim<PostgresConnection>;

  constructor(scope: Construct, id: string, props: PostgresClaimProps) {
    super(scope, id);
    const { context } = props;
    const database = context.spec.database;
    switch (database.mode) {
      case 'inCluster':
        this.claim = new InClusterPostgres(this, 'InCluster', { context }).claim;
        break;
      case 'managed': {
        const provisioner = context.profile.managedServices;
        if (!provisioner) {
          throw new Error(
            `PostgresClaim: spec.database.mode managed is not available on platform ${context.profile.platform}`,
          );
        }
        this.claim = provisioner.postgres(this, context);
        break;
      }
      case 'external': {
        const secret = database.externalSecretRef?.name;
        if (secret === undefined)
          throw new Error('PostgresClaim: spec.database.externalSecretRef is required in external mode');
        const claim = externalClaim(
          'postgres',
          secret,
          ['host', 'port', 'username', 'password', 'database', 'sslmode'],
          egressToAnywhere([context.externalPorts.postgres ?? ports.postgres.number]),
          'connection to the external PostgreSQL server',
        );
        // `poolMode: transaction` when the server is a PgBouncer (or like) in transaction mode
        const poolMode = { secretName: secret, key: 'poolMode', optional: true };
        this.claim = { ...claim, connection: { ...claim.connection, poolMode } };
        break;
      }
    }
  }
}
