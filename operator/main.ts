import { commandLogger, loadSettingsOrExit } from '../lib/process/startup.js';
import { loadOperatorConfig } from './config.js';
import { loadConnection } from './kube/connection.js';
import { Operator } from './operator.js';

/** `rosterhub operator [--namespaces a,b]`: runs until SIGTERM/SIGINT. */
export async function runOperator(args: string[]): Promise<void> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--namespaces') env.WATCH_NAMESPACES = args[(i += 1)] ?? '';
    else if (arg.startsWith('--namespaces=')) env.WATCH_NAMESPACES = arg.slice('--namespaces='.length);
    else {
      process.stderr.write(
        `rosterhub operator: unknown option '${arg}' (usage: rosterhub operator [--namespaces a,b])\n`,
      );
      process.exit(2);
    }
  }
  const connection = await loadConnection();
  const config = loadSettingsOrExit('operator', () => loadOperatorConfig(env, connection.podNamespace));
  const logger = commandLogger('operator', config);
  if (!config.leaderElect && connection.podNamespace === undefined && env.LEADER_ELECT === undefined) {
    logger.info(
      'leader election is off: running outside a cluster (LEADER_ELECT=auto); run one operator per cluster',
    );
  }
  const operator = new Operator(connection, config, logger);
  await operator.start();
  const stop = (signal: string): void => {
    logger.info(`received ${signal}; stopping`);
    setTimeout(() => process.exit(1), 20_000).unref();
    void operator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('stop failed', { error });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
