import { synthesizeDistrict, validateInstance } from '../../../cdk8s/index.js';
import { districtCodec } from '../../../operator/district-codec.js';
import { DeflatedJson } from '../../../operator/runtime/deflated-json.js';

const district = (name: string) =>
  synthesizeDistrict(
    validateInstance({
      apiVersion: 'rosterhub.io/v1alpha1',
      kind: 'RosterHubInstance',
      metadata: { name, namespace: 'springfield', uid: 'u1' },
      spec: { version: '2.3.1', platform: 'aks' },
    }),
  );

describe('districtCodec', () => {
  it('When a child object is cached, then it decodes to an equal copy', () => {
    const codec = districtCodec<unknown>();
    for (const object of district('springfield-east').objects) {
      expect(codec.decode(codec.encode(object))).toEqual(object);
    }
  });

  it('When a district is kept, then it takes a tenth of its JSON, a third of what deflate alone keeps', () => {
    const objects = district('springfield-east').objects;
    const json = objects.reduce((sum, object) => sum + JSON.stringify(object).length, 0);
    const size = (codec: DeflatedJson<unknown>) =>
      objects.reduce((sum, object) => sum + codec.encode(object).length, 0);
    const primed = size(districtCodec());
    expect(primed).toBeLessThan(json / 10);
    expect(primed).toBeLessThan(size(new DeflatedJson()) / 3);
  });
});
