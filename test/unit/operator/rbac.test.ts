import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { synthesize } from '../../../cdk8s/index.js';
import { operatorClusterRules, resourceFor } from '../../../operator/rbac.js';

const goldenInstance = (platform: string): unknown =>
  parse(readFileSync(new URL(`../cdk8s/golden/${platform}.instance.yaml`, import.meta.url), 'utf8'));

describe('operator RBAC', () => {
  it.each(['kind', 'aks', 'eks'])(
    'When a %s district is synthesized, then the ClusterRole lets the operator manage every kind in it',
    (platform) => {
      const rules = operatorClusterRules();
      for (const object of synthesize(goldenInstance(platform))) {
        const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0]! : '';
        const resource = resourceFor(object.apiVersion, object.kind);
        expect(
          typeof resource === 'string'
            ? undefined
            : `no RBAC resource for ${object.kind} (${object.apiVersion})`,
        ).toBeUndefined();
        const rule = rules.find((r) => r.apiGroups.includes(group) && r.resources.includes(resource!));
        expect(rule?.verbs).toEqual(
          expect.arrayContaining(['create', 'delete', 'get', 'list', 'patch', 'watch']),
        );
      }
    },
  );

  it('When rules are listed, then no rule grants wildcards or cluster-admin style access', () => {
    for (const rule of operatorClusterRules()) {
      expect(rule.verbs).not.toContain('*');
      expect(rule.resources).not.toContain('*');
      expect(rule.apiGroups).not.toContain('*');
    }
  });
});
