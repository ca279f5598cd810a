import { readFileSync } from 'node:fs';
import { configurationDocs } from '../../cli/config-docs.js';

describe('README', () => {
  it('When any process settings change, then the README tables of variables match them (regenerate with `npx rosterhub config`)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(configurationDocs());
  });
});
