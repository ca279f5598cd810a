import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { repoRoot } from './helm.js';
import {
  exportedMetricNames,
  kubernetesMetrics,
  metricNamesIn,
  metricOfLabelValues,
} from './exported-metrics.js';

interface Target {
  expr: string;
  datasource: { uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}
interface AlertRule {
  alert: string;
  expr: string;
  labels: { severity: string };
  annotations: Record<string, string>;
}

const dashboardFiles = readdirSync(`${repoRoot}dashboards`)
  .filter((file) => file.endsWith('.json'))
  .sort();
const dashboards = dashboardFiles.map((file) => ({
  file,
  dashboard: JSON.parse(readFileSync(`${repoRoot}dashboards/${file}`, 'utf8')) as Dashboard,
}));
const alertRules = (
  parse(readFileSync(`${repoRoot}dashboards/alerts.yaml`, 'utf8')) as {
    kind: string;
    spec: { groups: { name: string; rules: AlertRule[] }[] };
  }
).spec.groups.flatMap((group) => group.rules);

/** Every query: [where, expression], from panels, variables and alerts. */
function queries(): [string, string][] {
  const found: [string, string][] = [];
  for (const { file, dashboard } of dashboards) {
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) found.push([`${file}: ${panel.title}`, target.expr]);
    }
    for (const variable of dashboard.templating.list) {
      const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
      const metric = variable.type === 'query' ? metricOfLabelValues(query) : undefined;
      if (variable.type === 'query')
        expect({ file, variable: variable.name, metric }).not.toMatchObject({ metric: undefined });
      if (metric) found.push([`${file}: $${variable.name}`, metric]);
    }
  }
  for (const rule of alertRules) found.push([`alerts.yaml: ${rule.alert}`, rule.expr]);
  return found;
}

describe('Dashboards and alerts', () => {
  it('When PromQL is read, then metric names are found and functions, labels, keywords and variables are not', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket{namespace=~"$namespace", route=~"a|b"}[$__rate_interval]))) / on (namespace) group_left up > 26 * 3600 unless on (x) kube_cronjob_created',
      ).sort(),
    ).toEqual(['http_request_duration_seconds_bucket', 'kube_cronjob_created', 'up']);
    expect(metricOfLabelValues('label_values(http_requests_total{namespace=~"$namespace"}, route)')).toBe(
      'http_requests_total',
    );
  });

  it('When a panel, variable or alert queries a metric, then the code exports it (or Kubernetes does)', async () => {
    const exported = await exportedMetricNames();
    expect(exported).toContain('http_requests_total');
    expect(exported).toContain('controller_runtime_reconcile_total');
    expect(exported).toContain('process_resident_memory_bytes');
    expect(exported).toContain('csv_import_duration_seconds_bucket');
    const known = new Set([...exported, ...kubernetesMetrics]);
    const unknown = queries().flatMap(([where, expr]) =>
      metricNamesIn(expr)
        .filter((name) => !known.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('When dashboards are provisioned, then each has a fixed unique uid, a ${datasource} variable and a $namespace variable', () => {
    const uids = dashboards.map(({ dashboard }) => dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(dashboardFiles).toEqual(['api.json', 'csv-jobs.json', 'operator.json']);
    for (const { dashboard } of dashboards) {
      expect(dashboard.uid).toMatch(/^rosterhub-[a-z-]+$/);
      const variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
      expect(variables.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
      expect(variables.get('namespace')?.type).toBe('query');
    }
  });

  it('When a panel queries, then it uses the ${datasource} variable and the $namespace selection', () => {
    for (const { file, dashboard } of dashboards) {
      const ids = dashboard.panels.map((panel) => panel.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
        const where = `${file}: ${panel.title}`;
        expect({ where, uid: panel.datasource?.uid }).toEqual({ where, uid: '${datasource}' });
        expect(panel.targets?.length).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) {
          expect({ where, uid: target.datasource.uid }).toEqual({ where, uid: '${datasource}' });
          expect({ where, scoped: target.expr.includes('namespace=~"$namespace"') }).toEqual({
            where,
            scoped: true,
          });
        }
      }
    }
  });

  it('When alerts are loaded, then the five required alerts exist with a severity and a runbook link', () => {
    const names = alertRules.map((rule) => rule.alert);
    expect(names).toEqual(
      expect.arrayContaining([
        'RosterHubApiHighErrorRatio',
        'RosterHubApiHighLatency',
        'RosterHubImportFailures',
        'RosterHubBackupMissing',
        'RosterHubOperatorReconcileErrors',
      ]),
    );
    const runbook = readFileSync(`${repoRoot}docs/runbook.md`, 'utf8');
    for (const rule of alertRules) {
      expect(['critical', 'warning']).toContain(rule.labels.severity);
      const anchor = /docs\/runbook\.md#([a-z0-9-]+)$/.exec(rule.annotations.runbook_url ?? '')?.[1];
      expect({ alert: rule.alert, linked: anchor !== undefined }).toEqual({
        alert: rule.alert,
        linked: true,
      });
      expect(runbook).toMatch(
        new RegExp(`^#+ .*\\{#${anchor}\\}|^#+ ${anchor!.replace(/-/g, '[ -]')}`, 'im'),
      );
    }
    expect(alertRules.find((r) => r.alert === 'RosterHubBackupMissing')?.expr).toContain('26 * 3600');
  });
});
