// The CEL functions Kubernetes adds for CRD validation rules that @bufbuild/cel lacks or counts
// differently, with the API server's semantics (k8s.io/apiserver/pkg/cel/library and cel-go's
// ext.Strings v2, as documented there; written here, not copied):
// - URLs: isURL, url(), getScheme/getHost/getHostname/getPort/getEscapedPath/getQuery (Go's net/url);
// - regex: find, findAll (RE2 semantics, Go's FindAllString rules for empty matches);
// - IP addresses: isIP, ip(), family(), ip.isCanonical (Go's netip, zones and IPv4-mapped refused);
// - strings: indexOf, lastIndexOf, charAt, substring count code points as cel-go does, where
//   @bufbuild/cel's versions count UTF-16 units (they differ on characters beyond U+FFFF).
// Other Kubernetes libraries (lists, sets, quantity, cidr, the rest of ip, format, semver, authz) are not
// provided: a rule calling one fails to evaluate, and that is reported, never passed silently.
import { CelScalar, celFunc, celMethod, listType, mapType, objectType, type CelFunc } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { create, createFileRegistry, createRegistry, type Registry } from '@bufbuild/protobuf';
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { escapedPathOf, hostnameOf, parseRequestUri, parseUrl, portOf, queryOf, type GoUrl } from './go-url.ts';
import { formatIp, parseIp } from './go-ip.ts';
import { find, findAll } from './re2-to-js.ts';

const URL_FIELDS = ['scheme', 'opaque', 'host', 'path', 'rawPath', 'rawQuery'] as const satisfies readonly (keyof GoUrl)[];

/** A protobuf message type standing for Kubernetes' opaque URL type, so url() has a CEL type. */
const urlFile = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: 'datahub_operator/validate/url.proto',
    package: 'kubernetes',
    syntax: 'proto3',
    messageType: [
      {
        name: 'URL',
        field: URL_FIELDS.map((name, i) => ({ name, jsonName: name, number: i + 1, type: FieldDescriptorProto_Type.STRING, label: FieldDescriptorProto_Label.OPTIONAL })),
      },
    ],
  }),
  () => undefined,
);
const urlDesc = urlFile.getMessage('kubernetes.URL')!;
/** Kubernetes' opaque IP type: the address as written (ip() only makes one from a valid address). */
const ipFile = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: 'datahub_operator/validate/ip.proto',
    package: 'kubernetes',
    syntax: 'proto3',
    messageType: [{ name: 'IP', field: [{ name: 'addr', jsonName: 'addr', number: 1, type: FieldDescriptorProto_Type.STRING, label: FieldDescriptorProto_Label.OPTIONAL }] }],
  }),
  () => undefined,
);
const ipDesc = ipFile.getMessage('kubernetes.IP')!;
const IP = objectType(ipDesc);
const URL = objectType(urlDesc);
const STRING = CelScalar.STRING;
const INT = CelScalar.INT;

export const celRegistry: Registry = createRegistry(urlFile, ipFile);

function toUrl(s: string): GoUrl {
  try {
    parseRequestUri(s); // what decides validity, as in the API server
    return parseUrl(s); // what builds the value: Parse also handles a #fragment
  } catch (err) {
    throw new Error(`URL parse error during conversion from string: parse ${JSON.stringify(s)}: ${(err as Error).message}`, { cause: err });
  }
}

function isUrl(s: string): boolean {
  try {
    parseRequestUri(s);
    return true;
  } catch {
    return false;
  }
}

function toIp(s: string): { family: 4 | 6; bytes: number[] } {
  const ip = parseIp(s);
  if (!ip) throw new Error(`IP Address ${JSON.stringify(s)} parse error during conversion from string`);
  return ip;
}

const codePoints = (s: string): string[] => [...s];

function indexOf(str: string, sub: string, offset = 0): bigint {
  const runes = codePoints(str);
  if (offset < 0) throw new Error(`index out of range: ${offset}`);
  if (sub === '') return BigInt(Math.min(offset, runes.length));
  const subRunes = codePoints(sub);
  for (let i = offset; i <= runes.length - subRunes.length; i++) {
    if (subRunes.every((r, j) => runes[i + j] === r)) return BigInt(i);
  }
  return -1n;
}

function lastIndexOf(str: string, sub: string, offset?: number): bigint {
  const runes = codePoints(str);
  if (offset === undefined) {
    if (sub === '') return BigInt(runes.length);
    if (runes.length === 0) return -1n;
    offset = runes.length - 1;
  }
  if (offset < 0) throw new Error(`index out of range: ${offset}`);
  if (sub === '') return BigInt(Math.min(offset, runes.length));
  const subRunes = codePoints(sub);
  if (offset >= runes.length) return -1n;
  for (let i = Math.min(offset, runes.length - subRunes.length); i >= 0; i--) {
    if (subRunes.every((r, j) => runes[i + j] === r)) return BigInt(i);
  }
  return -1n;
}

function substring(str: string, start: number, end?: number): string {
  const runes = codePoints(str);
  const last = end ?? runes.length;
  if (start > last) throw new Error(`invalid substring range. start: ${start}, end: ${last}`);
  for (const i of [start, last]) if (i < 0 || i > runes.length) throw new Error(`index out of range: ${i}`);
  return runes.slice(start, last).join('');
}

function charAt(str: string, index: number): string {
  const runes = codePoints(str);
  if (index < 0 || index > runes.length) throw new Error(`index out of range: ${index}`);
  return runes[index] ?? '';
}

function url(this: { message: Record<string, unknown> }): GoUrl {
  return this.message as unknown as GoUrl;
}

const kubernetesFuncs: CelFunc[] = [
  celFunc('isURL', [STRING], CelScalar.BOOL, isUrl),
  celFunc('url', [STRING], URL, (s) => create(urlDesc, { ...toUrl(s) })),
  celMethod('getScheme', URL, [], STRING, function () {
    return url.call(this).scheme;
  }),
  celMethod('getHost', URL, [], STRING, function () {
    return url.call(this).host;
  }),
  celMethod('getHostname', URL, [], STRING, function () {
    return hostnameOf(url.call(this));
  }),
  celMethod('getPort', URL, [], STRING, function () {
    return portOf(url.call(this));
  }),
  celMethod('getEscapedPath', URL, [], STRING, function () {
    return escapedPathOf(url.call(this));
  }),
  celMethod('getQuery', URL, [], mapType(STRING, listType(STRING)), function () {
    return queryOf(url.call(this));
  }),
  celFunc('isIP', [STRING], CelScalar.BOOL, (s) => parseIp(s) !== undefined),
  celFunc('ip', [STRING], IP, (s) => create(ipDesc, { addr: formatIp(toIp(s)) })),
  celMethod('family', IP, [], INT, function () {
    return BigInt(toIp((this.message as unknown as { addr: string }).addr).family);
  }),
  celFunc('ip.isCanonical', [STRING], CelScalar.BOOL, (s) => formatIp(toIp(s)) === s),
  celMethod('find', STRING, [STRING], STRING, function (re) {
    return find(this, re);
  }),
  celMethod('findAll', STRING, [STRING], listType(STRING), function (re) {
    return findAll(this, re);
  }),
  celMethod('findAll', STRING, [STRING, INT], listType(STRING), function (re, n) {
    return findAll(this, re, Number(n));
  }),
  celMethod('indexOf', STRING, [STRING], INT, function (sub) {
    return indexOf(this, sub);
  }),
  celMethod('indexOf', STRING, [STRING, INT], INT, function (sub, offset) {
    return indexOf(this, sub, Number(offset));
  }),
  celMethod('lastIndexOf', STRING, [STRING], INT, function (sub) {
    return lastIndexOf(this, sub);
  }),
  celMethod('lastIndexOf', STRING, [STRING, INT], INT, function (sub, offset) {
    return lastIndexOf(this, sub, Number(offset));
  }),
  celMethod('charAt', STRING, [INT], STRING, function (i) {
    return charAt(this, Number(i));
  }),
  celMethod('substring', STRING, [INT], STRING, function (start) {
    return substring(this, Number(start));
  }),
  celMethod('substring', STRING, [INT, INT], STRING, function (start, end) {
    return substring(this, Number(start), Number(end));
  }),
];

/** cel-go's ext.Strings (from @bufbuild/cel), then Kubernetes' libraries; later ids replace earlier ones. */
export const celFuncs: CelFunc[] = [...strings, ...kubernetesFuncs];
