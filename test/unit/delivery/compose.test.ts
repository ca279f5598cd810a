import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { repoRoot } from './helm.js';

interface Service {
  build?: { context: string; target: string };
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }> | string[];
}

const compose = parse(readFileSync(`${repoRoot}compose.yaml`, 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;

describe('compose.yaml', () => {
  it('When the stack starts, then it runs the same parts as make run plus the worker, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'grafana',
      'postgres',
      'prometheus',
      'redis',
      'worker',
    ]);
  });

  it.each([
    ['api', ['api']],
    ['worker', ['worker']],
  ])(
    'When %s starts, then it runs the api image target with that command and reaches PostgreSQL and Redis by name',
    (name, command) => {
      const service = services[name]!;
      expect(service.build).toEqual({ context: '.', target: 'api' });
      expect(service.command).toEqual(command);
      expect(service.environment?.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\/rosterhub$/);
      expect(service.environment?.REDIS_URL).toBe('redis://redis:6379');
    },
  );

  it('When a package is uploaded, then it reaches the worker through PostgreSQL: the API and the worker share no folder', () => {
    for (const name of ['api', 'worker']) {
      expect(services[name]!.volumes ?? []).toEqual([]);
      expect(Object.keys(services[name]!.environment ?? {})).not.toContain('IMPORT_SPOOL_DIR');
    }
  });

  it('When the API starts, then PostgreSQL and Redis are healthy first', () => {
    expect(services.api!.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect(services.postgres!.healthcheck?.test?.join(' ')).toContain('pg_isready');
    expect(services.redis!.healthcheck?.test?.join(' ')).toContain('ping');
  });

  it('When Prometheus and Grafana start, then Prometheus scrapes the API on its health port and Grafana provisions every dashboard', () => {
    const mounts = (name: string): Map<string, string> =>
      new Map(
        (services[name]!.volumes ?? [])
          .filter((v) => v.startsWith('./'))
          .map((v) => {
            const [source = '', target = ''] = v.split(':');
            return [target, source];
          }),
      );
    const prometheus = mounts('prometheus').get('/etc/prometheus/prometheus.yml') ?? '';
    const config = parse(readFileSync(`${repoRoot}${prometheus}`, 'utf8')) as {
      scrape_configs: { static_configs: { targets: string[]; labels: Record<string, string> }[] }[];
    };
    const target = config.scrape_configs[0]?.static_configs[0];
    expect(target?.targets).toEqual(['api:8081']);
    expect(target?.labels.namespace).toBeDefined();

    const grafana = mounts('grafana');
    const provider = parse(
      readFileSync(
        `${repoRoot}${grafana.get('/etc/grafana/provisioning/dashboards/rosterhub.yaml') ?? ''}`,
        'utf8',
      ),
    ) as { providers: { options: { path: string } }[] };
    const dashboardFolder = provider.providers[0]?.options.path ?? '';
    expect(grafana.get(dashboardFolder)).toBe('./dashboards');
    const datasources = grafana.get('/etc/grafana/provisioning/datasources/rosterhub.yaml') ?? '';
    expect(readFileSync(`${repoRoot}${datasources}`, 'utf8')).toContain('http://prometheus:9090');
    for (const file of ['api.json', 'csv-jobs.json', 'operator.json']) {
      expect(existsSync(`${repoRoot}dashboards/${file}`)).toBe(true);
    }
  });
});
