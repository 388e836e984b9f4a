// Go's netip.ParseAddr and Addr.String(), as far as Kubernetes' CEL IP library (isIP, ip(),
// family(), ip.isCanonical) uses them: dotted-quad IPv4 without leading zeros, IPv6 with `::` and an
// embedded IPv4 tail, zones and IPv4-mapped IPv6 refused (the library refuses both). Written here,
// not copied, because no npm package reproduces Go's exact acceptance rules (Node's net.isIP takes
// zones and IPv4-mapped forms) and the validate command must agree with the API server.

export interface GoIp {
  family: 4 | 6;
  /** 4 or 16 bytes. */
  bytes: number[];
}

function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIpv6(s: string): number[] | undefined {
  if (s.includes('%')) return undefined; // a zone: the Kubernetes library refuses it
  let tail: number[] = [];
  let body = s;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    body = s.slice(0, lastColon + 1);
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const words = [...head, ...rest, ...tail].length;
  let all: number[];
  if (halves.length === 2) {
    if (words > 7) return undefined;
    all = [...head, ...Array<number>(8 - words).fill(0), ...rest, ...tail];
  } else {
    if (words !== 8) return undefined;
    all = [...head, ...tail];
  }
  return all.flatMap((w) => [w >> 8, w & 0xff]);
}

/** The address, or undefined when Go's ParseAddr fails or the Kubernetes library refuses it. */
export function parseIp(s: string): GoIp | undefined {
  if (s.includes(':')) {
    const bytes = parseIpv6(s);
    if (!bytes) return undefined;
    const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
    return mapped ? undefined : { family: 6, bytes };
  }
  const bytes = parseIpv4(s);
  return bytes ? { family: 4, bytes } : undefined;
}

/** Go's Addr.String(): RFC 5952 for IPv6 (lower case, the longest run of two or more zero groups as ::). */
export function formatIp(ip: GoIp): string {
  if (ip.family === 4) return ip.bytes.join('.');
  const words = Array.from({ length: 8 }, (_, i) => (ip.bytes[2 * i]! << 8) | ip.bytes[2 * i + 1]!);
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.len && j - i >= 2) best = { at: i, len: j - i };
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (best.at < 0) return hex(words);
  return `${hex(words.slice(0, best.at))}::${hex(words.slice(best.at + best.len))}`;
}
