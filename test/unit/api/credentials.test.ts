import { SCOPES } from '../../../api/services/endpoints.js';
import {
  hashSecret,
  newApiKey,
  parseApiKey,
  parseScopes,
  secretMatches,
} from '../../../api/services/credentials.js';

describe('credentials', () => {
  it('When an API key is made, then it has the rh_live_ prefix and parses back into id and secret', () => {
    const { key, keyId, secret } = newApiKey();
    expect(key).toMatch(/^rh_live_[0-9A-Za-z]{12}_[0-9A-Za-z]{43}$/);
    expect(parseApiKey(key)).toEqual({ keyId, secret });
    expect(parseApiKey(`${key}x`)).toBeUndefined();
    expect(parseApiKey('rh_live_short_x')).toBeUndefined();
  });

  it('When a secret is checked, then only the exact secret matches its stored hash', () => {
    const stored = hashSecret('s3cret');
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(secretMatches('s3cret', stored)).toBe(true);
    expect(secretMatches('s3cret ', stored)).toBe(false);
    expect(secretMatches('s3cret', 'not-hex')).toBe(false);
  });

  it('When scopes are given by short name or URI, comma- or space-separated, then they become URIs', () => {
    expect(parseScopes('roster.readonly, roster-core.readonly')).toEqual([SCOPES.roster, SCOPES.core]);
    expect(parseScopes(`${SCOPES.demographics} roster.readonly`)).toEqual([
      SCOPES.demographics,
      SCOPES.roster,
    ]);
    expect(() => parseScopes('roster.write')).toThrow('unknown scope: roster.write');
  });
});
