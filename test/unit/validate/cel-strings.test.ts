// cel-go's ext.Strings functions as Kubernetes runs them: indexes count code points (the
// @bufbuild/cel versions count UTF-16 units, which differs beyond U+FFFF); lowerAscii leaves
// non-ASCII letters alone. Expected values follow cel-go's ext/strings.go semantics.
import { run, isCelError } from '@bufbuild/cel';
import { describe, expect, it } from 'vitest';
import { celFuncs, celRegistry } from '../../../src/validate/cel-library.ts';

function cel(expr: string): unknown {
  const v = run(expr, {}, { funcs: celFuncs, registry: celRegistry });
  return isCelError(v) ? `error: ${v.message}` : v;
}

describe('strings functions count code points, as cel-go does', () => {
  it.each([
    ["'a\u{1F600}b/c'.indexOf('/')", 3n],
    ["'a\u{1F600}b\u{1F600}'.indexOf('\u{1F600}', 2)", 3n],
    ["'abc'.indexOf('', 5)", 3n],
    ["'abc'.indexOf('c', 5)", -1n],
    ["'a\u{1F600}b'.lastIndexOf('b')", 2n],
    ["'abcabc'.lastIndexOf('abc', 2)", 0n],
    ["''.lastIndexOf('x')", -1n],
    ["'abc'.lastIndexOf('')", 3n],
    ["'a\u{1F600}b'.charAt(1)", '\u{1F600}'],
    ["'ab'.charAt(2)", ''],
    ["'a\u{1F600}b'.substring(1, 2)", '\u{1F600}'],
    ["'a\u{1F600}b'.substring(2)", 'b'],
    ["size('\u{1F600}')", 1n],
    ["'\u00c0BC'.lowerAscii()", '\u00c0bc'],
    ["'k8s/Name'.lowerAscii() == 'k8s/name'", true],
  ])('%s', (expr, want) => {
    expect(cel(expr)).toBe(want);
  });

  it.each([["'abc'.indexOf('a', -1)", 'index out of range: -1'], ["'abc'.substring(2, 1)", 'invalid substring range'], ["'abc'.charAt(4)", 'index out of range: 4']])(
    '%s is an error',
    (expr, message) => {
      expect(cel(expr)).toContain(message);
    },
  );
});
