// RE2 patterns translated to JavaScript for find/findAll: the match lists are what Go 1.26's
// regexp.FindAllString returns for the same input (produced with the Go toolchain the control plane
// is built with), and a differential check against @bufbuild/re2 (an RE2 engine) on many strings
// covers the meaning of classes, escapes, anchors and flags.
import { run, isCelError } from '@bufbuild/cel';
import { RE2JS } from '@bufbuild/re2';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { celFuncs, celRegistry } from '../../../src/validate/cel-library.ts';
import { find, findAll, re2ToJs, RegexError } from '../../../src/validate/re2-to-js.ts';

/** [input, pattern, Go's FindAllString(input, -1)] */
const GO_FIND_ALL: [string, string, string[]][] = [
  ["123 abc 456", "[0-9]*", ["123", "", "", "", "", "456"]],
  ["baaac", "a*", ["", "aaa", ""]],
  ["abc", "", ["", "", "", ""]],
  ["a\ud83d\ude00b\ud800\udc00c", "[\\x{10000}-\\x{10FFFF}]", ["\ud83d\ude00", "\ud800\udc00"]],
  ["Hello World", "(?i)o W", ["o W"]],
  ["line1\nline2\n", "(?m)^line\\d$", ["line1", "line2"]],
  ["a.b\nc", ".", ["a", ".", "b", "c"]],
  ["a.b\nc", "(?s).", ["a", ".", "b", "\n", "c"]],
  ["x  y\u00a0z", "\\s+", ["  "]],
  ["x  y\u00a0z", "\\p{Z}", [" ", " ", "\u00a0"]],
  ["tab\there", "[[:space:]]", ["\t"]],
  ["aXbxc", "(?i)x", ["X", "x"]],
  ["foo.bar", "\\Q.\\E", ["."]],
  ["aaa", "a{2}", ["aa"]],
  ["aaa", "a+?", ["a", "a", "a"]],
  ["aaa", "(?U)a+", ["a", "a", "a"]],
  ["word boundary here", "\\b\\w", ["w", "b", "h"]],
  ["Gr\u00fc\u00dfe \u0391\u0392\u0393", "\\p{Greek}+", ["\u0391\u0392\u0393"]],
  ["Gr\u00fc\u00dfe \u0391\u0392\u0393", "\\pL+", ["Gr\u00fc\u00dfe", "\u0391\u0392\u0393"]],
  ["a\u0378b", "\\pC", ["\u0378"]],
  ["abc", "\\x41|b", ["b"]],
  ["ABC", "(?i)[a-b]+", ["AB"]],
  ["k8s.io/name", "^[a-z0-9.]+/", ["k8s.io/"]],
  ["a-b_c", "[\\w-]+", ["a-b_c"]],
  ["a]b", "[]a]+", ["a]"]],
  ["a^b", "[\\^a]+", ["a^"]],
  ["\u03b1\u03b2\u03b3", "[^a-z]", ["\u03b1", "\u03b2", "\u03b3"]],
  ["x\ny", "$", [""]],
  ["x\ny", "(?m)$", ["", ""]],
];

describe('findAll matches Go regexp.FindAllString', () => {
  it.each(GO_FIND_ALL)('%j =~ %j', (input, pattern, go) => {
    expect(findAll(input, pattern)).toEqual(go);
    expect(find(input, pattern)).toBe(go[0] ?? '');
    expect(findAll(input, pattern, 1)).toEqual(go.slice(0, 1));
    expect(findAll(input, pattern, 0)).toEqual([]);
  });
});

const PATTERNS = [
  '\\s', '\\S', '[\\s]', '[^\\s]', '[\\S]', '\\d+', '\\w', '[\\w-]', '\\W', '\\p{Z}', '\\P{Z}', '\\p{C}', '\\pC', '\\p{Cc}', '[\\s\\p{Z}\\p{Cc}]',
  '[^\\s\\p{Z}\\p{C}]', '\\p{Greek}', '\\p{^Greek}', '\\PL', '.', '(?s).', '^a', '(?m)^a', 'a$', '(?m)a$', '\\Aa', 'a\\z', '\\ba', 'a\\B',
  '(?i)k', '(?i)[a-c]', '(?i:A)b', '[[:alpha:]]', '[[:^digit:]]', '[[:punct:]]', '\\x{10000}', '[\\x{10000}-\\x{10FFFF}]', '\\x41', '\\101',
  '\\Q*+\\E', '\\.', '[-a]', '[a-]', '[]a]', 'a{2,3}', 'a{2,}', 'x{', 'a|b|', '(a)(?:b)(?P<n>c)', '[\\d-z]', '\\t\\n\\f\\r\\v\\a',
];
const STRINGS = [
  '', 'a', 'A', 'b', 'k', 'K', '\u212a', 'ß', 'abc', 'aa', 'aaa', 'xa', 'ax', 'a\n', '\na', 'x\na', ' ', '\t', '\n', '\v', '\f', '\r', '\u0085',
  '\u00a0', '\u3000', '\u2028', '\u0378', '\u200b', '\ufeff', 'α', 'Ω', '\u{10000}', '\u{1F600}', '\u{10FFFF}', '5', '٣', '_', '-', '*+', '.', ']',
  'x{', 'é', 'e\u0301', '\u0007', 'word', 'Z', 'z', '"',
];

describe('the translation means what RE2 means', () => {
  it.each(PATTERNS)('%j agrees with RE2 on every test string', (pattern) => {
    const re2 = RE2JS.compile(pattern);
    const js = re2ToJs(pattern);
    for (const s of STRINGS) {
      js.lastIndex = 0;
      expect(js.test(s), `${JSON.stringify(pattern)} on ${JSON.stringify(s)}`).toBe(re2.test(s));
    }
  });

  it('translates every pattern in the CRDs', () => {
    const crdDir = join(import.meta.dirname, '..', '..', '..', 'crds');
    const rules = readdirSync(crdDir)
      .map((f) => readFileSync(join(crdDir, f), 'utf8'))
      .flatMap((text) => [...text.matchAll(/(?:matches|findAll|find)\('((?:[^'\\]|\\.)*)'\)/g)].map((m) => m[1]!.replaceAll('\\\\\\\\', '\\')));
    expect(rules.length).toBeGreaterThan(5);
    for (const pattern of rules) expect(() => re2ToJs(pattern), pattern).not.toThrow();
  });

  it('refuses what RE2 refuses, with RE2 words', () => {
    expect(() => re2ToJs('(')).toThrow(RegexError);
    expect(() => re2ToJs('a**')).toThrow(/invalid nested repetition|bad repetition/);
    expect(() => re2ToJs('(?<=a)b')).toThrow(RegexError); // no lookbehind in RE2
    expect(() => re2ToJs('\\1')).toThrow(RegexError); // no backreferences
  });
});

describe('findAll through CEL', () => {
  const cel = (expr: string, s: string): unknown => {
    const v = run(expr, { s }, { funcs: celFuncs, registry: celRegistry });
    return isCelError(v) ? `error: ${v.message}` : v;
  };

  it('counts characters beyond U+FFFF as the displayName rule needs', () => {
    const rule = "size(s) + size(s.findAll('[\\\\x{10000}-\\\\x{10FFFF}]'))";
    expect(cel(rule, '\u{1F600}'.repeat(101))).toBe(202n);
    expect(cel(rule, 'n'.repeat(200))).toBe(200n);
    expect(cel("s.findAll('[0-9]+', 2) == ['1', '22']", '1 22 333')).toBe(true);
    expect(cel("s.find('[0-9]+')", 'ab 42')).toBe('42');
  });

  it('reports a bad pattern as an evaluation error', () => {
    expect(cel("s.findAll('(')", 'x')).toMatch(/^error: .*missing closing \)/);
  });
});
