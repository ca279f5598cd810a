import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  databaseName,
  databaseUser,
  instancePodSelector,
  InstanceNames,
  ports,
  selectorLabels,
  type Component,
} from '../../cdk8s/names.js';
import { rosterHubInstanceApi } from '../../cdk8s/spec.js';
import { RETRY_MIGRATION_ANNOTATION } from '../../operator/reconcile/plan.js';
import { KubectlError, Kubectl } from './kubectl.js';
import { importThroughApi } from './plugin-import.js';
import { renderStatus, type ImportSummary, type InstanceObject, type PodObject } from './status-view.js';

export const PLUGIN_USAGE = `usage: kubectl rosterhub <command> NAME [flags] [-n NAMESPACE] [--context C] [--kubeconfig F]

commands:
  status NAME                       versions, phase, conditions, Pods, last backup and import, endpoints
  import NAME FILE.zip [--dry-run] [--strict] [--key KEY]
                                    upload through the API Service (port-forward) and follow it;
                                    the admin key comes from --key or ROSTERHUB_ADMIN_KEY
  backup NAME                       run a backup now (a Job from the instance's backup CronJob)
  restore NAME [--backup B|latest] [--from-prefix P]
                                    load a backup into the instance's empty database (P: another
                                    instance's BACKUP_PREFIX at the same destination)
  retry-migration NAME              start the failed migration Job again
  logs NAME [api|worker|migration|backup|postgres|redis] [-f]
                                    the component's logs, every Pod prefixed (default api)
  psql NAME [-- PSQL ARGS]          psql in the instance's PostgreSQL Pod (in-cluster database)

exit codes: 0 done, 1 the operation failed, 2 bad usage`;

const resource = `${rosterHubInstanceApi.plural}.${rosterHubInstanceApi.group}`;
const LOG_COMPONENTS: readonly Component[] = ['api', 'worker', 'migration', 'backup', 'postgres', 'redis'];

class PluginUsageError extends Error {}

/** The flags kubectl users put anywhere: they go to every kubectl call. */
function splitGlobalFlags(argv: string[]): { global: string[]; namespace?: string; rest: string[] } {
  const global: string[] = [];
  const rest: string[] = [];
  let namespace: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const [flag, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = (): string => {
      const next = inline ?? argv[(i += 1)];
      if (next === undefined) throw new PluginUsageError(`${flag} needs a value`);
      return next;
    };
    if (flag === '-n' || flag === '--namespace') namespace = value();
    else if (flag === '--context' || flag === '--kubeconfig') global.push(`${flag}=${value()}`);
    else rest.push(arg);
  }
  return namespace === undefined ? { global, rest } : { global, namespace, rest };
}

function instanceName(positionals: string[]): string {
  const name = positionals[0];
  if (!name) throw new PluginUsageError('name the RosterHubInstance');
  return name;
}

function readInstance(kubectl: Kubectl, name: string): InstanceObject {
  return kubectl.json(['get', resource, name]) as InstanceObject;
}

function componentSelector(name: string, component?: Component): string {
  const labels = component ? selectorLabels(name, component) : instancePodSelector(name);
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/** The last import as the API Pods' own CLI reports it; undefined when it cannot be read. */
function lastImport(kubectl: Kubectl, names: InstanceNames): ImportSummary | null | undefined {
  try {
    const out = kubectl.run([
      'exec',
      `deploy/${names.api}`,
      '-c',
      'api',
      '--',
      'node',
      'bin/rosterhub.js',
      'imports',
      'list',
      '--limit',
      '1',
    ]);
    return (JSON.parse(out) as ImportSummary[])[0] ?? null;
  } catch {
    return undefined;
  }
}

function status(kubectl: Kubectl, args: string[]): number {
  const name = instanceName(parseArgs({ args, allowPositionals: true }).positionals);
  const instance = readInstance(kubectl, name);
  const pods = (kubectl.json(['get', 'pods', '-l', componentSelector(name)]) as { items: PodObject[] }).items;
  const names = new InstanceNames(name, instance.metadata.namespace ?? '');
  process.stdout.write(renderStatus(instance, pods, lastImport(kubectl, names)));
  return 0;
}

async function logs(kubectl: Kubectl, args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { follow: { type: 'boolean', short: 'f', default: false }, tail: { type: 'string' } },
  });
  const name = instanceName(positionals);
  const component = (positionals[1] ?? 'api') as Component;
  if (!LOG_COMPONENTS.includes(component))
    throw new PluginUsageError(`the component is one of ${LOG_COMPONENTS.join(', ')}`);
  return kubectl.attached([
    'logs',
    '-l',
    componentSelector(name, component),
    '--prefix',
    '--all-containers',
    '--max-log-requests',
    '20',
    `--tail=${values.tail ?? (values.follow ? '20' : '200')}`,
    ...(values.follow ? ['-f'] : []),
  ]);
}

async function psql(kubectl: Kubectl, args: string[]): Promise<number> {
  const separator = args.indexOf('--');
  const own = separator === -1 ? args : args.slice(0, separator);
  const psqlArgs = separator === -1 ? [] : args.slice(separator + 1);
  const name = instanceName(parseArgs({ args: own, allowPositionals: true }).positionals);
  const names = new InstanceNames(name, '');
  const interactive = process.stdin.isTTY && psqlArgs.length === 0;
  return kubectl.attached([
    'exec',
    ...(interactive ? ['-it'] : ['-i']),
    `statefulset/${names.postgres}`,
    '--',
    'psql',
    '-U',
    databaseUser,
    '-d',
    databaseName,
    ...psqlArgs,
  ]);
}

interface CronJobObject {
  spec: {
    jobTemplate: {
      spec: {
        template: {
          metadata?: unknown;
          spec: { containers: { args?: string[]; env?: { name: string; value?: string }[] }[] };
        };
      };
    };
  };
}

/** Waits for `job` to end; prints its last log line (the JSON summary), or its log tail and fails. */
async function followJob(kubectl: Kubectl, job: string): Promise<void> {
  process.stderr.write(`Job ${job} started; waiting for it to finish\n`);
  for (;;) {
    const { status } = kubectl.json(['get', 'job', job]) as {
      status?: { succeeded?: number; failed?: number };
    };
    if ((status?.succeeded ?? 0) > 0) break;
    if ((status?.failed ?? 0) > 0) {
      process.stderr.write(kubectl.run(['logs', `job/${job}`, '--tail=50']));
      throw new Error(`Job ${job} failed (its log is above)`);
    }
    await sleep(2000);
  }
  process.stdout.write(kubectl.run(['logs', `job/${job}`, '--tail=1']));
}

async function backup(kubectl: Kubectl, args: string[]): Promise<number> {
  const name = instanceName(parseArgs({ args, allowPositionals: true }).positionals);
  const names = new InstanceNames(name, '');
  const job = `${names.backupCronJob}-now-${Date.now().toString(36)}`;
  kubectl.run(['create', 'job', `--from=cronjob/${names.backupCronJob}`, job]);
  await followJob(kubectl, job);
  return 0;
}

/**
 * A Job made from the backup CronJob's Pod template (the destination, its credentials and the
 * database's) that runs `rosterhub restore`, which refuses a database that holds data.
 * `--from-prefix` reads another instance's backups (its BACKUP_PREFIX) at the same destination.
 */
async function restore(kubectl: Kubectl, args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { backup: { type: 'string', default: 'latest' }, 'from-prefix': { type: 'string' } },
  });
  const name = instanceName(positionals);
  const names = new InstanceNames(name, '');
  const { template } = (kubectl.json(['get', 'cronjob', names.backupCronJob]) as CronJobObject).spec
    .jobTemplate.spec;
  const [container, ...others] = template.spec.containers;
  if (!container) throw new Error(`the CronJob ${names.backupCronJob} has no container`);
  container.args = ['restore', '--backup', values.backup];
  const prefix = values['from-prefix'];
  if (prefix !== undefined)
    container.env = (container.env ?? []).map((variable) =>
      variable.name === 'BACKUP_PREFIX' ? { name: variable.name, value: prefix } : variable,
    );
  const job = `${name}-restore-${Date.now().toString(36)}`;
  kubectl.run(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: job },
      spec: {
        backoffLimit: 0,
        template: { ...template, spec: { ...template.spec, containers: [container, ...others] } },
      },
    }),
  );
  await followJob(kubectl, job);
  return 0;
}

function retryMigration(kubectl: Kubectl, args: string[]): number {
  const name = instanceName(parseArgs({ args, allowPositionals: true }).positionals);
  const stamp = new Date().toISOString();
  kubectl.run(['annotate', '--overwrite', resource, name, `${RETRY_MIGRATION_ANNOTATION}=${stamp}`]);
  process.stdout.write(
    `asked the operator to run the migration of ${name} again (${RETRY_MIGRATION_ANNOTATION}=${stamp})\n`,
  );
  return 0;
}

async function importPackage(kubectl: Kubectl, args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      key: { type: 'string' },
    },
  });
  const name = instanceName(positionals);
  const file = positionals[1];
  if (!file) throw new PluginUsageError('name the package: kubectl rosterhub import NAME FILE.zip');
  const key = values.key ?? process.env.ROSTERHUB_ADMIN_KEY;
  if (!key)
    throw new PluginUsageError(
      'an admin key is needed: --key KEY or ROSTERHUB_ADMIN_KEY (rosterhub admin-key create --only import)',
    );
  readInstance(kubectl, name);
  const names = new InstanceNames(name, '');
  const forward = await kubectl.portForward(`service/${names.api}`, ports.apiService.number);
  try {
    return await importThroughApi(`http://127.0.0.1:${forward.localPort}`, key, file, {
      dryRun: values['dry-run'],
      strict: values.strict,
    });
  } finally {
    forward.close();
  }
}

const COMMANDS: Record<string, (kubectl: Kubectl, args: string[]) => number | Promise<number>> = {
  status,
  import: importPackage,
  backup,
  restore,
  'retry-migration': retryMigration,
  logs,
  psql,
};

/** `kubectl rosterhub …` (the `kubectl-rosterhub` executable); resolves to the exit code. */
export async function runKubectlPlugin(argv: string[]): Promise<number> {
  try {
    const { global, namespace, rest } = splitGlobalFlags(argv);
    const [command, ...args] = rest;
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      process.stdout.write(`${PLUGIN_USAGE}\n`);
      return command === undefined ? 2 : 0;
    }
    const run = COMMANDS[command];
    if (!run) throw new PluginUsageError(`unknown command '${command}'`);
    return await run(new Kubectl(global, namespace), args);
  } catch (error) {
    if (
      error instanceof PluginUsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`kubectl rosterhub: ${(error as Error).message}\n\n${PLUGIN_USAGE}\n`);
      return 2;
    }
    const message =
      error instanceof KubectlError ? error.stderr.trim() || error.message : (error as Error).message;
    process.stderr.write(`kubectl rosterhub: ${message}\n`);
    return 1;
  }
}
