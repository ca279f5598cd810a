import { existsSync } from 'node:fs';
import { adoptLocalServices } from './local-services.js';

const USAGE = `usage: rosterhub <command>

commands:
  api                 run the OneRoster API server (configured by environment variables)
  worker              run the CSV import worker (jobs queued by POST /rosterhub/v1/imports or import)
  import              queue a OneRoster CSV package (zip or folder) and follow it ([--dry-run] [--strict])
  imports list        the latest imports with their state and counts ([--limit N])
  export              write the roster as a OneRoster CSV package (FILE.zip [--mode bulk|delta])
  admin-key create    create an admin API key (imports and exports, or --only import|export); prints it once
  migrate             apply pending database migrations and exit
  render              print a RosterHubInstance's Kubernetes objects as YAML (-f FILE [--platform P])
  seed                load a generated district into the database (--size small|large [--seed N])
  demo                on an empty database: a generated district, a demo client and admin key; prints commands to try
  generate            write a generated district as a OneRoster CSV package (--size … --out DIR)
  clients             create|list|revoke|rotate|update-scopes OAuth 2.0 clients; secrets printed once
  keys                create|list|revoke rh_live_ API keys
  operator            run the RosterHubInstance operator ([--namespaces a,b]; current kubeconfig)
  backup              pg_dump to the configured destination, then prune by retention (BACKUP_* variables)
  restore             load a backup into an empty database ([--backup NAME|latest])
  crd                 print the RosterHubInstance CRD (kubectl apply --server-side -f -)
  config              print every environment variable with its default (Markdown)
  help                print this text

exit codes: 0 done, 1 the operation failed or was rejected, 2 bad usage or configuration`;

/** Commands an administrator runs by hand: from a checkout they find the local services. */
const ADMIN_COMMANDS = new Set([
  'import',
  'imports',
  'export',
  'admin-key',
  'migrate',
  'seed',
  'clients',
  'keys',
  'backup',
  'restore',
  'demo',
]);

async function main(argv: string[]): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const [command, ...rest] = argv;
  if (command !== undefined && ADMIN_COMMANDS.has(command)) {
    const adopted = adoptLocalServices(process.env);
    if (adopted.length > 0)
      process.stderr.write(
        `rosterhub: ${adopted.join(' and ')} not set; using the local services of this checkout (.local/services.env, written by make run / make services-start)\n`,
      );
  }
  switch (command) {
    case 'api': {
      const { runApi } = await import('../api/main.js');
      await runApi();
      return;
    }
    case 'worker': {
      const { runWorker } = await import('../api/worker/main.js');
      await runWorker();
      return;
    }
    case 'import': {
      const { runImportCommand } = await import('./import-command.js');
      process.exitCode = await runImportCommand(rest);
      return;
    }
    case 'imports': {
      const { runImportsCommand } = await import('./imports-command.js');
      process.exitCode = await runImportsCommand(rest);
      return;
    }
    case 'export': {
      const { runExportCommand } = await import('./export-command.js');
      process.exitCode = await runExportCommand(rest);
      return;
    }
    case 'admin-key': {
      const { runAdminKeyCommand } = await import('./admin-key-command.js');
      process.exitCode = await runAdminKeyCommand(rest);
      return;
    }
    case 'migrate': {
      const { runMigrateCommand } = await import('./migrate-command.js');
      process.exitCode = await runMigrateCommand(rest);
      return;
    }
    case 'render': {
      const { runRenderCommand } = await import('./render-command.js');
      process.exitCode = runRenderCommand(rest);
      return;
    }
    case 'seed': {
      const { runSeedCommand } = await import('./seed-command.js');
      process.exitCode = await runSeedCommand(rest);
      return;
    }
    case 'demo': {
      const { runDemoCommand } = await import('./demo-command.js');
      process.exitCode = await runDemoCommand(rest);
      return;
    }
    case 'generate': {
      const { runGenerateCommand } = await import('./generate-command.js');
      process.exitCode = await runGenerateCommand(rest);
      return;
    }
    case 'clients': {
      const { runClientsCommand } = await import('./clients-command.js');
      process.exitCode = await runClientsCommand(rest);
      return;
    }
    case 'keys': {
      const { runKeysCommand } = await import('./keys-command.js');
      process.exitCode = await runKeysCommand(rest);
      return;
    }
    case 'operator': {
      const { runOperator } = await import('../operator/main.js');
      await runOperator(rest);
      return;
    }
    case 'backup': {
      const { runBackupCommand } = await import('./backup-command.js');
      process.exitCode = await runBackupCommand();
      return;
    }
    case 'restore': {
      const { runRestoreCommand } = await import('./backup-command.js');
      process.exitCode = await runRestoreCommand(rest);
      return;
    }
    case 'crd': {
      const { rosterHubInstanceCrdYaml } = await import('../operator/crd.js');
      process.stdout.write(rosterHubInstanceCrdYaml());
      return;
    }
    case 'config': {
      const { configurationDocs } = await import('./config-docs.js');
      process.stdout.write(configurationDocs());
      return;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      process.stderr.write(`rosterhub: unknown command '${command}'\n\n${USAGE}\n`);
      process.exitCode = 2;
  }
}

await main(process.argv.slice(2));
