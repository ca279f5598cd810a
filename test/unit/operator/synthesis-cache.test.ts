import { validateInstance } from '../../../cdk8s/index.js';
import { SynthesisCache } from '../../../operator/reconcile/synthesis-cache.js';

const district = (version: string, uid = 'u1') =>
  validateInstance({
    apiVersion: 'rosterhub.io/v1alpha1',
    kind: 'RosterHubInstance',
    metadata: { name: 'district', namespace: 'districts', uid, resourceVersion: uid },
    spec: { version },
  });

describe('SynthesisCache', () => {
  it('When an unchanged instance is synthesized again (a resync), then the frozen earlier result is reused', () => {
    const cache = new SynthesisCache();
    const first = cache.synthesize(district('1.4.2', 'u1'));
    expect(cache.synthesize(district('1.4.2', 'u2'))).toBe(first);
    expect(Object.isFrozen(first.objects[0]?.metadata)).toBe(true);
  });

  it('When the spec changes, then it synthesizes anew and keeps the two latest versions (target and serving)', () => {
    const cache = new SynthesisCache();
    const serving = cache.synthesize(district('1.4.2'));
    const target = cache.synthesize(district('1.5.0'));
    expect(target).not.toBe(serving);
    expect(cache.synthesize(district('1.4.2'))).toBe(serving);
    cache.synthesize(district('1.6.0'));
    expect(cache.synthesize(district('1.4.2'))).toBe(serving);
    expect(cache.synthesize(district('1.5.0'))).not.toBe(target);
  });

  it('When an instance is forgotten, then its next synthesis is a new one', () => {
    const cache = new SynthesisCache();
    const first = cache.synthesize(district('1.4.2'));
    cache.forget('districts/district');
    expect(cache.synthesize(district('1.4.2'))).not.toBe(first);
  });
});
