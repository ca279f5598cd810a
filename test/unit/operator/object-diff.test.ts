import { quantityValue, satisfies } from '../../../operator/object-diff.js';

describe('satisfies (live object vs what the operator wants)', () => {
  const desired = {
    metadata: { name: 'a', labels: { app: 'x' } },
    spec: {
      replicas: 2,
      template: {
        spec: { containers: [{ name: 'api', resources: { limits: { cpu: '1000m', memory: '512Mi' } } }] },
      },
    },
  };

  it('When the live object carries extra server-side fields and canonical quantities, then it satisfies', () => {
    const live = {
      metadata: { name: 'a', labels: { app: 'x', extra: 'y' }, uid: 'u', resourceVersion: '5' },
      spec: {
        replicas: 2,
        revisionHistoryLimit: 10,
        template: {
          spec: {
            containers: [{ name: 'api', image: 'i', resources: { limits: { cpu: '1', memory: '512Mi' } } }],
          },
        },
      },
      status: { readyReplicas: 2 },
    };
    expect(satisfies(live, desired)).toBe(true);
  });

  it.each([
    ['a label edited by hand', { metadata: { name: 'a', labels: { app: 'other' } }, spec: desired.spec }],
    ['a field changed', { metadata: desired.metadata, spec: { ...desired.spec, replicas: 3 } }],
    [
      'a container removed',
      { metadata: desired.metadata, spec: { replicas: 2, template: { spec: { containers: [] } } } },
    ],
    ['the object missing', undefined],
  ])('When %s, then it does not satisfy', (_case, live) => {
    expect(satisfies(live, desired)).toBe(false);
  });

  it('When the operator wants an empty list the server dropped, then it satisfies', () => {
    expect(satisfies({ spec: {} }, { spec: { ingress: [] } })).toBe(true);
  });

  it.each([
    ['500m', 0.5],
    ['1Gi', 1024 ** 3],
    ['2', 2],
    ['1.5k', 1500],
    ['abc', undefined],
  ])('When the quantity is %s, then its value is %s', (text, value) => {
    expect(quantityValue(text)).toBe(value);
  });
});
