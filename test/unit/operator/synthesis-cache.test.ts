import { synthesizeDistrict, validateInstance, type RosterHubInstance } from '../../../cdk8s/index.js';
import { SynthesisCache } from '../../../operator/reconcile/synthesis-cache.js';
import { DeflatedJson } from '../../../operator/runtime/deflated-json.js';

const district = (version: string, uid = 'u1') =>
  validateInstance({
    apiVersion: 'rosterhub.io/v1alpha1',
    kind: 'RosterHubInstance',
    metadata: { name: 'district', namespace: 'districts', uid, resourceVersion: uid },
    spec: { version },
  });

/** A cache whose syntheses are counted, by version. */
function countingCache() {
  const syntheses: string[] = [];
  const cache = new SynthesisCache(new DeflatedJson(), (instance: RosterHubInstance, options) => {
    syntheses.push(instance.spec.version);
    return synthesizeDistrict(instance, options);
  });
  return { cache, syntheses };
}

describe('SynthesisCache', () => {
  it('When an unchanged instance is synthesized again (a resync), then the earlier result is reused as a fresh copy', () => {
    const { cache, syntheses } = countingCache();
    const first = cache.synthesize(district('1.4.2', 'u1'));
    const again = cache.synthesize(district('1.4.2', 'u2'));
    expect(syntheses).toEqual(['1.4.2']);
    expect(again).toEqual(first);
    again.objects[0]!.metadata.name = 'changed by a reconcile';
    expect(cache.synthesize(district('1.4.2')).objects[0]?.metadata.name).toBe(
      first.objects[0]?.metadata.name,
    );
  });

  it('When the spec changes, then it synthesizes anew and keeps the two latest versions (target and serving)', () => {
    const { cache, syntheses } = countingCache();
    cache.synthesize(district('1.4.2'));
    cache.synthesize(district('1.5.0'));
    cache.synthesize(district('1.4.2'));
    expect(syntheses).toEqual(['1.4.2', '1.5.0']);
    cache.synthesize(district('1.6.0'));
    cache.synthesize(district('1.4.2'));
    cache.synthesize(district('1.5.0'));
    expect(syntheses).toEqual(['1.4.2', '1.5.0', '1.6.0', '1.5.0']);
  });

  it('When an instance is forgotten, then its next synthesis is a new one', () => {
    const { cache, syntheses } = countingCache();
    cache.synthesize(district('1.4.2'));
    cache.forget('districts/district');
    cache.synthesize(district('1.4.2'));
    expect(syntheses).toEqual(['1.4.2', '1.4.2']);
  });
});
