import { trustedProxies } from '../../../lib/config/parsers.js';

describe('TRUST_PROXY', () => {
  const parse = trustedProxies();

  it('When it is empty or false, then no proxy is trusted', () => {
    expect(parse('')).toBe(false);
    expect(parse('false')).toBe(false);
  });

  it('When it is a number, then that many hops are trusted', () => {
    expect(parse('2')).toBe(2);
  });

  it('When it lists names, addresses and ranges, then they are kept as Express takes them', () => {
    expect(parse('loopback, 10.0.0.0/8 ,fd00::/8,192.0.2.7')).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.0.2.7',
    ]);
  });

  it('When an item is no address, range or name, then the error names it', () => {
    expect(() => parse('loopback,proxy.internal')).toThrow('"proxy.internal" is not an address');
    expect(() => parse('10.0.0.0/40')).toThrow('"10.0.0.0/40" is not an address');
  });
});
