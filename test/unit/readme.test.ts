import { readFileSync } from 'node:fs';
import { settingsTable } from '../../lib/config/settings.js';
import { apiSettings } from '../../api/config.js';

describe('README', () => {
  it('When the API settings change, then the README table of variables matches them (regenerate with `npx rosterhub config`)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(settingsTable(apiSettings));
  });
});
