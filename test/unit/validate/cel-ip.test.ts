// Kubernetes' CEL IP functions as validate implements them (isIP, ip().family(), ip.isCanonical),
// against the answers Go's netip gives (ParseAddr, Addr.String) with the library's extra refusals.
import { describe, expect, it } from 'vitest';
import { formatIp, parseIp } from '../../../src/validate/go-ip.ts';

describe('parseIp (Go netip.ParseAddr, zones and IPv4-mapped refused)', () => {
  it.each(['127.0.0.1', '0.0.0.0', '255.255.255.255', '::1', '::', '2001:db8::1', '2001:DB8:0:0:0:0:0:1', '1:2:3:4:5:6:7:8', '::1.2.3.4', '64:ff9b::192.0.2.33', '1::8'])('accepts %s', (s) => {
    expect(parseIp(s)).toBeDefined();
  });
  it.each(['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.04', '1:2:3:4:5:6:7:8:9', '1::2::3', ':::', '12345::', 'fe80::1%eth0', '::ffff:1.2.3.4', '::ffff:102:304', 'g::1', '1:2:3:4:5:6:7::8', ' ::1'])('refuses %j', (s) => {
    expect(parseIp(s)).toBeUndefined();
  });
  it('tells the family', () => {
    expect(parseIp('10.0.0.1')?.family).toBe(4);
    expect(parseIp('::1')?.family).toBe(6);
  });
});

describe('formatIp (Go Addr.String, RFC 5952)', () => {
  it.each([
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:0:2:0:3:0:4:0', '1:0:2:0:3:0:4:0'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['::1.2.3.4', '::102:304'],
    ['10.1.2.3', '10.1.2.3'],
  ])('%s → %s', (input, canonical) => {
    expect(formatIp(parseIp(input)!)).toBe(canonical);
  });
});
