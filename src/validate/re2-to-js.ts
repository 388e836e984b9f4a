// Translates an RE2 (Go regexp) pattern into an equivalent JavaScript RegExp (v flag), for the CEL
// functions that need match positions (find, findAll): @bufbuild/re2, which runs matches(), answers
// only yes/no. Every construct is rewritten explicitly because the two dialects differ in meaning:
// RE2's \s is [\t\n\f\r ] (JS: all Unicode spaces), `.` excludes only \n, \p{Greek} is a script,
// \x{10FFFF} and \Q..\E exist, (?i)/(?m)/(?s)/(?U) flags toggle mid-pattern, $ never matches
// before a final \n. Known residual differences: Unicode version of the tables, and patterns that
// repeat a group able to match empty (RE2 and backtracking engines pick different spans).
import { RE2JS } from '@bufbuild/re2';

export class RegexError extends Error {}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

/** RE2's \p{Any}; every other name is a JS general category (L, Zs, Letter...) or else a script. */
const ANY = '\\u{0}-\\u{10FFFF}';

function unicodeClass(name: string): string {
  if (name === 'Any') return ANY;
  try {
    new RegExp(`\\p{${name}}`, 'v');
    return `\\p{${name}}`;
  } catch {
    return `\\p{Script=${name}}`;
  }
}
const PERL: Record<string, string> = { d: '0-9', s: '\\t\\n\\f\\r ', w: '0-9A-Za-z_' };
const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\u{0}-\\u{7F}',
  blank: '\\t ',
  cntrl: '\\u{0}-\\u{1F}\\u{7F}',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`\\{-~',
  space: '\\t\\n\\u{B}\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const lit = (cp: number): string => `\\u{${cp.toString(16)}}`;

class Translator {
  private pos = 0;
  private readonly flagStack: Flags[] = [];
  private flags: Flags = { i: false, m: false, s: false, U: false };

  private readonly src: string;

  constructor(src: string) {
    this.src = src;
  }

  translate(): string {
    const out = this.alternation();
    if (this.pos < this.src.length) throw new RegexError(`unexpected ')' at ${this.pos}`);
    return out;
  }

  private peek(): string {
    return this.src[this.pos] ?? '';
  }

  private codePoint(): number {
    const cp = this.src.codePointAt(this.pos);
    if (cp === undefined) throw new RegexError('unexpected end of pattern');
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  /** Wraps a character-consuming atom so that (?i) applies to it and nothing else. */
  private fold(atom: string): string {
    return this.flags.i ? `(?i:${atom})` : atom;
  }

  private alternation(): string {
    const saved = { ...this.flags };
    const branches = [this.sequence()];
    while (this.peek() === '|') {
      this.pos++;
      branches.push(this.sequence());
    }
    this.flags = saved; // flags set by (?i) inside a group end with the group
    return branches.join('|');
  }

  private sequence(): string {
    let out = '';
    while (this.pos < this.src.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom();
      if (atom === undefined) continue;
      out += this.quantified(atom);
    }
    return out;
  }

  private quantified(atom: string): string {
    const m = /^(?:[*+?]|\{(\d+)(,(\d*))?\})/.exec(this.src.slice(this.pos));
    if (!m) return atom;
    this.pos += m[0].length;
    let lazy = this.flags.U;
    if (this.peek() === '?') {
      this.pos++;
      lazy = !lazy;
    }
    return `(?:${atom})${m[0]}${lazy ? '?' : ''}`;
  }

  private atom(): string | undefined {
    const c = this.peek();
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.fold(this.charClass());
      case '.':
        this.pos++;
        return this.flags.s ? `[${ANY}]` : '[^\\n]';
      case '^':
        this.pos++;
        return this.flags.m ? '(?<![^\\n])' : '(?<![\\s\\S])';
      case '$':
        this.pos++;
        return this.flags.m ? '(?![^\\n])' : '(?![\\s\\S])';
      case '\\':
        return this.escape();
      default:
        return this.fold(lit(this.codePoint()));
    }
  }

  private group(): string | undefined {
    this.pos++; // (
    const rest = this.src.slice(this.pos);
    const named = /^\?P?<[A-Za-z0-9_]+>/.exec(rest);
    if (named) this.pos += named[0].length;
    else if (rest.startsWith('?')) {
      const flagGroup = /^\?([imsU]*)(?:-([imsU]*))?(:|\))/.exec(rest);
      if (!flagGroup) throw new RegexError(`unsupported group syntax at ${this.pos}`);
      this.pos += flagGroup[0].length;
      const next = { ...this.flags };
      for (const f of flagGroup[1] ?? '') next[f as keyof Flags] = true;
      for (const f of flagGroup[2] ?? '') next[f as keyof Flags] = false;
      if (flagGroup[3] === ')') {
        this.flags = next; // (?i) applies to the rest of the enclosing group
        return undefined;
      }
      const outer = this.flags;
      this.flags = next;
      const inner = this.alternation();
      this.flags = outer;
      this.expect(')');
      return `(?:${inner})`;
    }
    const inner = this.alternation();
    this.expect(')');
    return `(?:${inner})`;
  }

  private expect(ch: string): void {
    if (this.peek() !== ch) throw new RegexError(`missing ${ch}`);
    this.pos++;
  }

  /** An escape outside a class: an assertion, a class, or one literal character. */
  private escape(): string {
    const e = this.src[this.pos + 1] ?? '';
    switch (e) {
      case 'A':
        this.pos += 2;
        return '(?<![\\s\\S])';
      case 'z':
        this.pos += 2;
        return '(?![\\s\\S])';
      case 'b':
      case 'B':
        // Only reached outside (?i:...) wrappers, so JS's \b is ASCII like RE2's.
        this.pos += 2;
        return `\\${e}`;
      case 'Q': {
        this.pos += 2;
        const end = this.src.indexOf('\\E', this.pos);
        const text = this.src.slice(this.pos, end < 0 ? undefined : end);
        this.pos = end < 0 ? this.src.length : end + 2;
        return [...text].map((ch) => this.fold(lit(ch.codePointAt(0)!))).join('');
      }
      default:
        break;
    }
    const cls = this.classEscape();
    if (cls !== undefined) return this.fold(`[${cls}]`);
    return this.fold(lit(this.literalEscape()));
  }

  /** \d \s \w (and negations), \pX, \p{Name}: the body of a JS class, or undefined. */
  private classEscape(): string | undefined {
    const e = this.src[this.pos + 1] ?? '';
    const lower = e.toLowerCase();
    if (lower in PERL && (e === lower || e === e.toUpperCase())) {
      this.pos += 2;
      return e === lower ? PERL[lower] : `[^${PERL[lower]}]`;
    }
    if (e !== 'p' && e !== 'P') return undefined;
    this.pos += 2;
    let name: string;
    if (this.peek() === '{') {
      const close = this.src.indexOf('}', this.pos);
      if (close < 0) throw new RegexError('missing } in \\p{...}');
      name = this.src.slice(this.pos + 1, close);
      this.pos = close + 1;
    } else name = String.fromCodePoint(this.codePoint());
    let negated = e === 'P';
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    const body = unicodeClass(name);
    return negated ? `[^${body}]` : `[${body}]`;
  }

  /** A literal written as an escape: \n, \x41, \x{10000}, \101, \*; returns its code point. */
  private literalEscape(): number {
    this.pos++; // backslash
    const c = this.codePoint();
    const simple: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
    const ch = String.fromCodePoint(c);
    if (ch in simple) return simple[ch]!;
    if (ch === 'x') {
      const m = /^(?:\{([0-9A-Fa-f]+)\}|([0-9A-Fa-f]{2}))/.exec(this.src.slice(this.pos));
      if (!m) throw new RegexError('invalid \\x escape');
      this.pos += m[0].length;
      return parseInt(m[1] ?? m[2]!, 16);
    }
    if (ch >= '0' && ch <= '7') {
      const m = /^[0-7]{0,2}/.exec(this.src.slice(this.pos))![0];
      if (ch !== '0' && m === '') throw new RegexError('backreferences are not supported');
      this.pos += m.length;
      return parseInt(ch + m, 8);
    }
    if (c < 0x80 && !/[0-9A-Za-z]/.test(ch)) return c; // escaped punctuation
    throw new RegexError(`invalid escape \\${ch}`);
  }

  /** [...] as a JS v-mode class; every member is emitted explicitly so no JS class syntax leaks. */
  private charClass(): string {
    this.pos++; // [
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const members: string[] = [];
    let first = true;
    while (this.pos < this.src.length && (this.peek() !== ']' || first)) {
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.pos));
      if (posix) {
        const body = POSIX[posix[2]!];
        if (!body) throw new RegexError(`unknown class [:${posix[2]}:]`);
        this.pos += posix[0].length;
        members.push(posix[1] ? `[^${body}]` : `[${body}]`);
        continue;
      }
      if (this.peek() === '\\') {
        const cls = this.classEscape();
        if (cls !== undefined) {
          members.push(`[${cls}]`);
          continue;
        }
      }
      const lo = this.classChar();
      if (this.peek() === '-' && this.src[this.pos + 1] !== ']' && this.pos + 1 < this.src.length) {
        this.pos++;
        const hi = this.classChar();
        if (hi < lo) throw new RegexError('invalid character class range');
        members.push(`${lit(lo)}-${lit(hi)}`);
      } else members.push(lit(lo));
    }
    this.expect(']');
    return `[${negated ? '^' : ''}${members.join('')}]`;
  }

  private classChar(): number {
    return this.peek() === '\\' ? this.literalEscape() : this.codePoint();
  }
}

const cache = new Map<string, RegExp>();

/** The JS equivalent of an RE2 pattern (global, for scanning); throws RegexError on bad syntax. */
export function re2ToJs(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  try {
    RE2JS.compile(pattern); // RE2's own parser decides what is valid, with RE2's error message
  } catch (err) {
    throw new RegexError((err as Error).message);
  }
  try {
    re = new RegExp(new Translator(pattern).translate(), 'gv');
  } catch (err) {
    throw new RegexError(`cannot translate regexp ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
  cache.set(pattern, re);
  return re;
}

/** Go's Regexp.FindAllString(s, n): n < 0 means all; an empty match right after a match is skipped. */
export function findAll(s: string, pattern: string, n = -1): string[] {
  const re = re2ToJs(pattern);
  const limit = n < 0 ? s.length + 1 : n;
  const out: string[] = [];
  let prevEnd = -1;
  for (let pos = 0; out.length < limit && pos <= s.length; ) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    let accept = true;
    if (end === pos) {
      if (start === prevEnd) accept = false;
      const cp = s.codePointAt(pos);
      pos += cp === undefined ? 1 : cp > 0xffff ? 2 : 1;
    } else pos = end;
    prevEnd = end;
    if (accept) out.push(m[0]);
  }
  return out;
}

/** Go's Regexp.FindString: the leftmost match, or "" when there is none. */
export function find(s: string, pattern: string): string {
  return findAll(s, pattern, 1)[0] ?? '';
}
