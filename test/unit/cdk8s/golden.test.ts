import { readFileSync, writeFileSync } from 'node:fs';
import { platforms, renderYaml, synthesize } from '../../../cdk8s/index.js';
import { exampleInstance, goldenDir } from './support.js';

// Golden files are reviewed by a person once; after a deliberate change regenerate them with
// `UPDATE_GOLDEN=1 make test-unit` and review the diff.
const update = process.env.UPDATE_GOLDEN === '1';

describe('golden manifests per platform', () => {
  it.each(platforms)(
    'When the %s example instance is synthesized, then the YAML equals golden/<platform>.yaml byte for byte',
    (platform) => {
      const yaml = renderYaml(synthesize(exampleInstance(platform)));
      const file = new URL(`${platform}.yaml`, goldenDir);
      if (update) writeFileSync(file, yaml);
      expect(yaml).toBe(readFileSync(file, 'utf8'));
    },
  );
});
