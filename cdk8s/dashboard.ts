import type { InstanceContext } from './context.js';
import { shortHash } from './names.js';

interface Panel {
  title: string;
  expr: string;
  unit: string;
  legend: string;
}

/**
 * A Grafana dashboard of one instance's API (rate, errors, duration) and Node.js process
 * (event-loop lag, memory), built from the metric names the API exports. `${datasource}` is a
 * variable, so no data source UID is hard-coded; the UID is stable per namespace and instance.
 */
export function instanceDashboard(context: InstanceContext): Record<string, unknown> {
  const scope = `namespace="${context.namespace}", service="${context.names.api}"`;
  const panels: Panel[] = [
    {
      title: 'Requests per second by route',
      expr: `sum by (route) (rate(http_request_duration_seconds_count{${scope}}[5m]))`,
      unit: 'reqps',
      legend: '{{route}}',
    },
    {
      title: 'Error ratio (5xx)',
      expr: `sum(rate(http_request_duration_seconds_count{${scope}, status_code=~"5.."}[5m])) / sum(rate(http_request_duration_seconds_count{${scope}}[5m]))`,
      unit: 'percentunit',
      legend: '5xx',
    },
    {
      title: 'p95 duration by route',
      expr: `histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket{${scope}}[5m])))`,
      unit: 's',
      legend: '{{route}}',
    },
    {
      title: 'Event-loop lag p99',
      expr: `max by (pod) (nodejs_eventloop_lag_p99_seconds{${scope}})`,
      unit: 's',
      legend: '{{pod}}',
    },
    {
      title: 'Resident memory',
      expr: `max by (pod) (process_resident_memory_bytes{${scope}})`,
      unit: 'bytes',
      legend: '{{pod}}',
    },
    {
      title: 'Active database connections',
      expr: `sum by (pod) (db_connections_active{${scope}})`,
      unit: 'short',
      legend: '{{pod}}',
    },
  ];
  return {
    uid: `rh-${shortHash(`${context.namespace}/${context.name}`, 12)}`,
    title: `RosterHub ${context.namespace}/${context.name}`,
    tags: ['rosterhub'],
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    templating: {
      list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' }],
    },
    panels: panels.map((panel, index) => ({
      id: index + 1,
      type: 'timeseries',
      title: panel.title,
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      targets: [{ refId: 'A', expr: panel.expr, legendFormat: panel.legend }],
    })),
  };
}
