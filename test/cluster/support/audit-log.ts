// Reads the test API server's audit log (components.ts AUDIT_POLICY): which writes one service
// account made in a time window, grouped by verb and resource, so a failing "no writes" figure
// names what was written.
import { existsSync, readFileSync } from 'node:fs';
import { auditLogFile } from './components.js';

interface AuditEvent {
  stage?: string;
  verb?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp?: string;
}

/** Writes of one kind: `patch roshubinstances/status`, how many, and a few of the objects. */
export interface AuditedWrites {
  request: string;
  count: number;
  codes: number[];
  examples: string[];
}

const EXAMPLES = 3;

/** The writes `namespace/serviceAccount` made at or after `since`, most frequent first. */
export function serviceAccountWrites(
  controlPlaneDir: string,
  namespace: string,
  serviceAccount: string,
  since: Date,
): AuditedWrites[] {
  const file = auditLogFile(controlPlaneDir);
  if (!existsSync(file)) return [];
  const username = `system:serviceaccount:${namespace}:${serviceAccount}`;
  const groups = new Map<string, AuditedWrites>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const event = JSON.parse(line) as AuditEvent;
    if (event.stage !== 'ResponseComplete' || event.user?.username !== username) continue;
    if (new Date(event.requestReceivedTimestamp ?? 0) < since) continue;
    const ref = event.objectRef ?? {};
    const resource = ref.subresource ? `${ref.resource}/${ref.subresource}` : (ref.resource ?? '?');
    const request = `${event.verb} ${resource}`;
    const group = groups.get(request) ?? { request, count: 0, codes: [], examples: [] };
    group.count += 1;
    const code = event.responseStatus?.code ?? 0;
    if (!group.codes.includes(code)) group.codes.push(code);
    const object = `${ref.namespace ?? ''}/${ref.name ?? ''}`;
    if (group.examples.length < EXAMPLES && !group.examples.includes(object)) group.examples.push(object);
    groups.set(request, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}
