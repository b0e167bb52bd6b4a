/**
 * A small regular-expression engine with a linear-time guarantee (a Pike VM: a Thompson NFA simulated breadth-first,
 * one thread per instruction), so that no pattern and no input can cause catastrophic backtracking. A search costs
 * O(input length × program size), program size is bounded by {@link FILTER_LIMITS}, and finding all matches has a
 * work budget (see {@link RegexMatcher}).
 *
 * Supported subset (anything else is rejected with a reason):
 * - literals (any code point except `^ $ \ . | ? * + ( ) [ ] { }`), escaped metacharacters (`\.`, `\*`, `\/`, `\-`, …)
 *   and `\n \r \t \f \v \0 \xHH \uHHHH \u{H…}`;
 * - `\d \D \w \W \s \S` (ASCII digits and word characters; JavaScript whitespace), `.` (anything but a line break);
 * - classes `[...]` and `[^...]` with ranges and the escapes above;
 * - groups `(?:...)` and `(...)` (captures are not reported), alternation `|`;
 * - quantifiers `? * + {m} {m,} {m,n}` with m ≤ n ≤ 100, each optionally lazy (`*?`);
 * - assertions `^` `$` (start and end of the text) and `\b \B` (ASCII word boundary).
 * Not supported: backreferences, lookahead and lookbehind, named groups, inline flags, Unicode property escapes,
 * possessive quantifiers. Patterns that can match the empty string are rejected too (a filter hit must cover text).
 */
import { FILTER_LIMITS } from './types.js';

const OP_CHAR = 0;
const OP_CLASS = 1;
const OP_SPLIT = 2;
const OP_JMP = 3;
const OP_ASSERT = 4;
const OP_MATCH = 5;

const ASSERT_BEGIN = 0;
const ASSERT_END = 1;
const ASSERT_WORD_BOUNDARY = 2;
const ASSERT_NOT_WORD_BOUNDARY = 3;

const MAX_CODE_POINT = 0x10ffff;

/** A set of code points as sorted, merged inclusive ranges, with an ASCII membership table. */
interface CharClass {
  readonly ranges: Int32Array; // [lo0, hi0, lo1, hi1, …]
  readonly ascii: Uint8Array; // 128 entries, 1 = member
}

type RegexNode =
  | { kind: 'char'; cp: number }
  | { kind: 'class'; ranges: number[] }
  | { kind: 'concat'; items: RegexNode[] }
  | { kind: 'alt'; items: RegexNode[] }
  | { kind: 'repeat'; item: RegexNode; min: number; max: number; greedy: boolean }
  | { kind: 'assert'; which: number };

/** Thrown while parsing; `reason` is what {@link checkPattern} reports. */
export class PatternSyntaxError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PatternSyntaxError';
  }
}

const DIGIT = [0x30, 0x39];
const WORD = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
const SPACE = [
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f,
  0x3000, 0x3000, 0xfeff, 0xfeff,
];
const NOT_LINE_BREAK = [0, 0x09, 0x0b, 0x0c, 0x0e, 0x2027, 0x202a, MAX_CODE_POINT];

function normalizeRanges(ranges: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i]!, ranges[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = out.length - 1;
    if (last > 0 && lo <= out[last]! + 1) out[last] = Math.max(out[last]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

function negateRanges(ranges: number[]): number[] {
  const sorted = normalizeRanges(ranges);
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < sorted.length; i += 2) {
    if (sorted[i]! > next) out.push(next, sorted[i]! - 1);
    next = sorted[i + 1]! + 1;
  }
  if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
  return out;
}

const SYNTAX = new Set([...'^$\\.|?*+()[]{}'].map((c) => c.codePointAt(0)!));
// Escapable as literals: the metacharacters plus `/` and `-`.
const ESCAPABLE = new Set([...SYNTAX, 0x2f, 0x2d]);

class Parser {
  private readonly cps: number[];
  private pos = 0;

  constructor(pattern: string) {
    this.cps = Array.from(pattern, (c) => c.codePointAt(0)!);
  }

  parse(): RegexNode {
    const node = this.parseAlt();
    if (this.pos < this.cps.length) {
      const c = this.cps[this.pos]!;
      throw new PatternSyntaxError(
        c === 0x29 ? `unmatched ) at ${this.pos}` : `unexpected ${String.fromCodePoint(c)} at ${this.pos}`,
      );
    }
    return node;
  }

  private peek(offset = 0): number {
    return this.cps[this.pos + offset] ?? -1;
  }

  private parseAlt(): RegexNode {
    const items = [this.parseConcat()];
    while (this.peek() === 0x7c) {
      this.pos += 1;
      items.push(this.parseConcat());
    }
    return items.length === 1 ? items[0]! : { kind: 'alt', items };
  }

  private parseConcat(): RegexNode {
    const items: RegexNode[] = [];
    for (;;) {
      const c = this.peek();
      if (c === -1 || c === 0x7c || c === 0x29) break;
      const atom = this.parseAtom();
      items.push(this.parseQuantifiers(atom));
    }
    return items.length === 1 ? items[0]! : { kind: 'concat', items };
  }

  private parseQuantifiers(atom: RegexNode): RegexNode {
    const at = this.pos;
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === 0x2a) [min, max] = [0, -1];
    else if (c === 0x2b) [min, max] = [1, -1];
    else if (c === 0x3f) [min, max] = [0, 1];
    else if (c === 0x7b) {
      [min, max] = this.parseBraces();
      this.pos -= 1; // parseBraces consumed the closing brace; the common step below consumes one character
    } else return atom;
    this.pos += 1;
    if (atom.kind === 'assert') throw new PatternSyntaxError(`nothing to repeat at ${at}: an assertion`);
    let greedy = true;
    if (this.peek() === 0x3f) {
      greedy = false;
      this.pos += 1;
    }
    const next = this.peek();
    if (next === 0x2b) throw new PatternSyntaxError(`possessive quantifiers are not supported (at ${this.pos})`);
    if (next === 0x2a || next === 0x3f || next === 0x7b) {
      throw new PatternSyntaxError(`nothing to repeat at ${this.pos}: a quantifier follows a quantifier`);
    }
    return { kind: 'repeat', item: atom, min, max, greedy };
  }

  private parseNumber(): number {
    const start = this.pos;
    let n = 0;
    while (this.peek() >= 0x30 && this.peek() <= 0x39) {
      n = n * 10 + (this.peek() - 0x30);
      this.pos += 1;
      if (n > 1_000_000) break;
    }
    return this.pos === start ? -1 : n;
  }

  /** `{m}`, `{m,}` or `{m,n}`; the position is left after the closing brace. */
  private parseBraces(): [number, number] {
    const at = this.pos;
    this.pos += 1;
    const min = this.parseNumber();
    if (min < 0) throw new PatternSyntaxError(`{ at ${at} must start a quantifier {m}, {m,} or {m,n}`);
    let max = min;
    if (this.peek() === 0x2c) {
      this.pos += 1;
      max = this.parseNumber();
    }
    if (this.peek() !== 0x7d) throw new PatternSyntaxError(`unterminated quantifier at ${at}`);
    this.pos += 1;
    const limit = FILTER_LIMITS.maxRepeat;
    if (min > limit || max > limit) throw new PatternSyntaxError(`repetition bound above ${limit} at ${at}`);
    if (max !== -1 && max < min) throw new PatternSyntaxError(`quantifier {${min},${max}} out of order at ${at}`);
    return [min, max];
  }

  private parseAtom(): RegexNode {
    const at = this.pos;
    const c = this.peek();
    this.pos += 1;
    switch (c) {
      case 0x28: // (
        return this.parseGroup(at);
      case 0x5b: // [
        return this.parseClass(at);
      case 0x2e: // .
        return { kind: 'class', ranges: NOT_LINE_BREAK };
      case 0x5e: // ^
        return { kind: 'assert', which: ASSERT_BEGIN };
      case 0x24: // $
        return { kind: 'assert', which: ASSERT_END };
      case 0x5c: // \
        return this.parseEscape(at, false);
      case 0x2a:
      case 0x2b:
      case 0x3f:
        throw new PatternSyntaxError(`nothing to repeat at ${at}`);
      case 0x7b:
        throw new PatternSyntaxError(`nothing to repeat at ${at} (escape a literal { as \\{)`);
      case 0x5d:
      case 0x7d:
        throw new PatternSyntaxError(`unbalanced ${String.fromCodePoint(c)} at ${at} (escape it with \\)`);
      default:
        return { kind: 'char', cp: c };
    }
  }

  private parseGroup(at: number): RegexNode {
    if (this.peek() === 0x3f) {
      const kind = this.peek(1);
      if (kind === 0x3a) {
        this.pos += 2;
      } else if (kind === 0x3d || kind === 0x21) {
        throw new PatternSyntaxError(`lookahead is not supported (at ${at})`);
      } else if (kind === 0x3c && (this.peek(2) === 0x3d || this.peek(2) === 0x21)) {
        throw new PatternSyntaxError(`lookbehind is not supported (at ${at})`);
      } else if (kind === 0x3c) {
        throw new PatternSyntaxError(`named groups are not supported (at ${at}); use (...) or (?:...)`);
      } else {
        throw new PatternSyntaxError(`inline flags and other (? groups are not supported (at ${at})`);
      }
    }
    const inner = this.parseAlt();
    if (this.peek() !== 0x29) throw new PatternSyntaxError(`unterminated group at ${at}`);
    this.pos += 1;
    return inner;
  }

  private parseHex(digits: number, at: number): number {
    let n = 0;
    for (let i = 0; i < digits; i += 1) {
      const d = this.hexDigit(this.peek());
      if (d < 0) throw new PatternSyntaxError(`invalid hexadecimal escape at ${at}`);
      n = n * 16 + d;
      this.pos += 1;
    }
    return n;
  }

  private hexDigit(c: number): number {
    if (c >= 0x30 && c <= 0x39) return c - 0x30;
    const l = c | 0x20;
    if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
    return -1;
  }

  /** After a backslash. Inside a class, shorthand classes are returned as class nodes and `\b` is rejected. */
  private parseEscape(at: number, inClass: boolean): RegexNode {
    const c = this.peek();
    if (c === -1) throw new PatternSyntaxError(`pattern ends with a lone \\`);
    this.pos += 1;
    switch (c) {
      case 0x64: // d
        return { kind: 'class', ranges: DIGIT };
      case 0x44: // D
        return { kind: 'class', ranges: negateRanges(DIGIT) };
      case 0x77: // w
        return { kind: 'class', ranges: WORD };
      case 0x57: // W
        return { kind: 'class', ranges: negateRanges(WORD) };
      case 0x73: // s
        return { kind: 'class', ranges: SPACE };
      case 0x53: // S
        return { kind: 'class', ranges: negateRanges(SPACE) };
      case 0x62: // b
      case 0x42: // B
        if (inClass)
          throw new PatternSyntaxError(`\\${String.fromCodePoint(c)} is not allowed inside a class (at ${at})`);
        return { kind: 'assert', which: c === 0x62 ? ASSERT_WORD_BOUNDARY : ASSERT_NOT_WORD_BOUNDARY };
      case 0x6e:
        return { kind: 'char', cp: 0x0a };
      case 0x72:
        return { kind: 'char', cp: 0x0d };
      case 0x74:
        return { kind: 'char', cp: 0x09 };
      case 0x66:
        return { kind: 'char', cp: 0x0c };
      case 0x76:
        return { kind: 'char', cp: 0x0b };
      case 0x30:
        if (this.peek() >= 0x30 && this.peek() <= 0x39)
          throw new PatternSyntaxError(`octal escapes are not supported (at ${at})`);
        return { kind: 'char', cp: 0 };
      case 0x78: // x
        return { kind: 'char', cp: this.parseHex(2, at) };
      case 0x75: {
        // u
        if (this.peek() === 0x7b) {
          this.pos += 1;
          let n = 0;
          let digits = 0;
          while (this.hexDigit(this.peek()) >= 0) {
            n = n * 16 + this.hexDigit(this.peek());
            this.pos += 1;
            digits += 1;
            if (n > MAX_CODE_POINT) throw new PatternSyntaxError(`code point out of range at ${at}`);
          }
          if (digits === 0 || this.peek() !== 0x7d) throw new PatternSyntaxError(`invalid \\u{...} escape at ${at}`);
          this.pos += 1;
          return { kind: 'char', cp: n };
        }
        return { kind: 'char', cp: this.parseHex(4, at) };
      }
      case 0x6b: // k
        throw new PatternSyntaxError(`backreferences are not supported (at ${at})`);
      case 0x70: // p
      case 0x50: // P
        throw new PatternSyntaxError(`Unicode property escapes are not supported (at ${at})`);
      default:
        if (c >= 0x31 && c <= 0x39) throw new PatternSyntaxError(`backreferences are not supported (at ${at})`);
        if (ESCAPABLE.has(c)) return { kind: 'char', cp: c };
        throw new PatternSyntaxError(`unknown escape \\${String.fromCodePoint(c)} at ${at}`);
    }
  }

  private parseClass(at: number): RegexNode {
    let negated = false;
    if (this.peek() === 0x5e) {
      negated = true;
      this.pos += 1;
    }
    const ranges: number[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === -1) throw new PatternSyntaxError(`unterminated class at ${at}`);
      if (c === 0x5d) {
        if (first) throw new PatternSyntaxError(`empty class at ${at}`);
        this.pos += 1;
        break;
      }
      first = false;
      const lo = this.parseClassAtom();
      if (lo.kind === 'class') {
        if (this.peek() === 0x2d && this.peek(1) !== 0x5d && this.peek(1) !== -1) {
          throw new PatternSyntaxError(`a shorthand class cannot start a range (at ${this.pos})`);
        }
        ranges.push(...lo.ranges);
        continue;
      }
      if (this.peek() === 0x2d && this.peek(1) !== 0x5d && this.peek(1) !== -1) {
        this.pos += 1;
        const hi = this.parseClassAtom();
        if (hi.kind === 'class') throw new PatternSyntaxError(`a shorthand class cannot end a range (at ${this.pos})`);
        if (hi.cp < lo.cp) throw new PatternSyntaxError(`range out of order in class at ${at}`);
        ranges.push(lo.cp, hi.cp);
      } else {
        ranges.push(lo.cp, lo.cp);
      }
    }
    return { kind: 'class', ranges: negated ? negateRanges(ranges) : normalizeRanges(ranges) };
  }

  private parseClassAtom(): { kind: 'char'; cp: number } | { kind: 'class'; ranges: number[] } {
    const at = this.pos;
    const c = this.peek();
    this.pos += 1;
    if (c === 0x5c) {
      const node = this.parseEscape(at, true);
      if (node.kind === 'char' || node.kind === 'class') return node;
      throw new PatternSyntaxError(`unsupported escape in class at ${at}`);
    }
    if (c === 0x5b) throw new PatternSyntaxError(`unescaped [ inside a class at ${at}`);
    return { kind: 'char', cp: c };
  }
}

/** Instruction count of `node` once compiled (saturating), to reject oversized patterns before emitting them. */
function programSize(node: RegexNode): number {
  switch (node.kind) {
    case 'char':
    case 'class':
    case 'assert':
      return 1;
    case 'concat':
      return node.items.reduce((n, item) => Math.min(n + programSize(item), 1e9), 0);
    case 'alt':
      return node.items.reduce((n, item) => Math.min(n + programSize(item) + 2, 1e9), 0);
    case 'repeat': {
      const body = programSize(node.item);
      const copies = node.max === -1 ? node.min + 1 : node.max;
      return Math.min(copies * (body + 2) + 2, 1e9);
    }
  }
}

class Emitter {
  op: number[] = [];
  a: number[] = [];
  b: number[] = [];
  classes: number[][] = [];

  emit(op: number, a = 0, b = 0): number {
    this.op.push(op);
    this.a.push(a);
    this.b.push(b);
    return this.op.length - 1;
  }

  compile(node: RegexNode): void {
    switch (node.kind) {
      case 'char':
        this.emit(OP_CHAR, node.cp);
        return;
      case 'class':
        this.classes.push(node.ranges);
        this.emit(OP_CLASS, this.classes.length - 1);
        return;
      case 'assert':
        this.emit(OP_ASSERT, node.which);
        return;
      case 'concat':
        for (const item of node.items) this.compile(item);
        return;
      case 'alt': {
        const jumps: number[] = [];
        for (let i = 0; i < node.items.length; i += 1) {
          if (i < node.items.length - 1) {
            const split = this.emit(OP_SPLIT);
            this.a[split] = split + 1;
            this.compile(node.items[i]!);
            jumps.push(this.emit(OP_JMP));
            this.b[split] = this.op.length;
          } else {
            this.compile(node.items[i]!);
          }
        }
        for (const j of jumps) this.a[j] = this.op.length;
        return;
      }
      case 'repeat': {
        const { item, min, max, greedy } = node;
        for (let i = 0; i < min; i += 1) this.compile(item);
        if (max === -1) {
          const split = this.emit(OP_SPLIT);
          this.compile(item);
          this.emit(OP_JMP, split);
          this.setSplit(split, split + 1, this.op.length, greedy);
          return;
        }
        const splits: number[] = [];
        for (let i = min; i < max; i += 1) {
          splits.push(this.emit(OP_SPLIT));
          this.compile(item);
        }
        for (const s of splits) this.setSplit(s, s + 1, this.op.length, greedy);
        return;
      }
    }
  }

  private setSplit(pc: number, body: number, exit: number, greedy: boolean): void {
    this.a[pc] = greedy ? body : exit;
    this.b[pc] = greedy ? exit : body;
  }
}

/** A compiled pattern: instruction arrays plus what is needed for a fast skip over positions that cannot start it. */
export interface CompiledRegex {
  readonly op: Int32Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly classes: readonly CharClass[];
  /** Code points that can begin a match, as a class. */
  readonly first: CharClass;
}

function toCharClass(ranges: readonly number[]): CharClass {
  const ascii = new Uint8Array(128);
  for (let i = 0; i < ranges.length; i += 2) {
    for (let c = ranges[i]!; c <= ranges[i + 1]! && c < 128; c += 1) ascii[c] = 1;
  }
  return { ranges: Int32Array.from(ranges), ascii };
}

function inClass(cls: CharClass, c: number): boolean {
  if (c < 128) return cls.ascii[c] === 1;
  const r = cls.ranges;
  for (let i = 0; i < r.length; i += 2) {
    if (c < r[i]!) return false;
    if (c <= r[i + 1]!) return true;
  }
  return false;
}

/** The instructions reachable from `pc` without consuming input (assertions assumed to hold). */
function epsilonClosure(prog: Emitter, pc: number): { consumers: number[]; nullable: boolean } {
  const seen = new Set<number>();
  const stack = [pc];
  const consumers: number[] = [];
  let nullable = false;
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    const op = prog.op[p]!;
    if (op === OP_JMP) stack.push(prog.a[p]!);
    else if (op === OP_SPLIT) stack.push(prog.b[p]!, prog.a[p]!);
    else if (op === OP_ASSERT) stack.push(p + 1);
    else if (op === OP_MATCH) nullable = true;
    else consumers.push(p);
  }
  return { consumers, nullable };
}

/** Parses and compiles `pattern`; throws {@link PatternSyntaxError} with a reason when it is outside the subset. */
export function compileRegex(pattern: string): CompiledRegex {
  if (typeof pattern !== 'string') throw new PatternSyntaxError('pattern must be a string');
  if (pattern.length === 0) throw new PatternSyntaxError('pattern is empty');
  if (pattern.length > FILTER_LIMITS.maxPatternLength) {
    throw new PatternSyntaxError(`pattern longer than ${FILTER_LIMITS.maxPatternLength} characters`);
  }
  const ast = new Parser(pattern).parse();
  if (programSize(ast) + 1 > FILTER_LIMITS.maxProgramSize) {
    throw new PatternSyntaxError(`pattern too large: more than ${FILTER_LIMITS.maxProgramSize} instructions`);
  }
  const prog = new Emitter();
  prog.compile(ast);
  prog.emit(OP_MATCH);
  const { consumers, nullable } = epsilonClosure(prog, 0);
  if (nullable) throw new PatternSyntaxError('pattern can match the empty string');
  const firstRanges: number[] = [];
  for (const p of consumers) {
    if (prog.op[p] === OP_CHAR) firstRanges.push(prog.a[p]!, prog.a[p]!);
    else firstRanges.push(...prog.classes[prog.a[p]!]!);
  }
  return {
    op: Int32Array.from(prog.op),
    a: Int32Array.from(prog.a),
    b: Int32Array.from(prog.b),
    classes: prog.classes.map(toCharClass),
    first: toCharClass(normalizeRanges(firstRanges)),
  };
}

/**
 * Checks that `pattern` is in the supported linear-time subset (for the admin console). The reason names the first
 * problem found, with a position in code points where it helps.
 */
export function checkPattern(pattern: string): { ok: true } | { ok: false; reason: string } {
  try {
    compileRegex(pattern);
    return { ok: true };
  } catch (error) {
    if (error instanceof PatternSyntaxError) return { ok: false, reason: error.reason };
    throw error;
  }
}

function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0x61 && c <= 0x7a);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Work a search may spend, re-reading included, per input position and instruction (see {@link RegexMatcher}). */
const RESCAN_BUDGET = 8;
/** Extra steps on top, so that short texts always get exact results. */
const RESCAN_ALLOWANCE = 200_000;

/**
 * Runs a {@link CompiledRegex} over a stream of code points, reporting every non-overlapping leftmost-first match
 * (the match a backtracking engine would find first at the leftmost position, then the next one after it, …).
 *
 * Digit runs are atomic: a match may not start right after a digit with a digit, nor end with a digit right before
 * one, so `1[3-9]\d{9}` never reports eleven digits out of a longer number. `accept(start, end)` can veto a match
 * (validators); a vetoed candidate simply does not count, and the search goes on as if that thread had failed.
 *
 * Cost: finding one match is O(distance read × program size). After a match, the next search starts at its end,
 * so text that higher-priority threads read past the end is read again; for ordinary patterns that is a few
 * characters, but a pattern like `x[^y]*z|x` would make the total quadratic. Total work is therefore capped: once a
 * search has spent {@link RESCAN_BUDGET} × (n + 1) × program size + 200,000 steps, it resumes after the text already read
 * instead of at the match end. Work stays O(n × program size) for every pattern and input; only such pathological
 * patterns can then miss matches that start inside already-read text.
 */
export class RegexMatcher {
  private readonly size: number;
  private cPc: Int32Array;
  private cStart: Int32Array;
  private nPc: Int32Array;
  private nStart: Int32Array;
  private readonly mark: Int32Array;
  private readonly stack: Int32Array;
  private gen = 0;
  /** Threads stepped plus closure instructions visited during the last {@link search}. */
  lastSteps = 0;

  constructor(private readonly re: CompiledRegex) {
    this.size = re.op.length;
    this.cPc = new Int32Array(this.size);
    this.cStart = new Int32Array(this.size);
    this.nPc = new Int32Array(this.size);
    this.nStart = new Int32Array(this.size);
    this.mark = new Int32Array(this.size);
    this.stack = new Int32Array(this.size * 2 + 2);
  }

  private canStart(input: Int32Array, p: number): boolean {
    const c = input[p]!;
    const first = this.re.first;
    if (!(c < 128 ? first.ascii[c] === 1 : inClass(first, c))) return false;
    return !(isDigit(c) && p > 0 && isDigit(input[p - 1]!));
  }

  search(
    input: Int32Array,
    n: number,
    accept: (start: number, end: number) => boolean,
    report: (start: number, end: number) => void,
  ): void {
    const { op, a, classes } = this.re;
    const budget = RESCAN_BUDGET * (n + 1) * this.size + RESCAN_ALLOWANCE;
    let steps = 0;
    this.mark.fill(0);
    this.gen = 0;
    let pos = 0;
    while (pos < n) {
      let cLen = 0;
      let listGen = 0;
      let matchStart = -1;
      let matchEnd = -1;
      let p = pos;
      for (; p <= n; p += 1) {
        if (cLen === 0) {
          if (matchStart >= 0) break;
          // Idle: skip positions that cannot start a match; marks from earlier positions must not deduplicate.
          while (p < n && !this.canStart(input, p)) p += 1;
          if (p >= n) break;
          listGen = ++this.gen;
        }
        if (matchStart < 0 && p < n && this.canStart(input, p)) {
          // A new start has the lowest priority: appended after every live thread.
          cLen = this.addThread(this.cPc, this.cStart, cLen, 0, p, p, input, n, listGen);
          steps += 1;
        }
        if (cLen === 0) continue;

        // Step every thread over input[p] into the next list, in priority order.
        const gen = ++this.gen;
        let nLen = 0;
        const c = p < n ? input[p]! : -1;
        for (let t = 0; t < cLen; t += 1) {
          const pc = this.cPc[t]!;
          const st = this.cStart[t]!;
          steps += 1;
          const o = op[pc]!;
          if (o === OP_CHAR) {
            if (c === a[pc]) nLen = this.addThread(this.nPc, this.nStart, nLen, pc + 1, st, p + 1, input, n, gen);
          } else if (o === OP_CLASS) {
            if (c >= 0) {
              const cls = classes[a[pc]!]!;
              if (c < 128 ? cls.ascii[c] === 1 : inClass(cls, c)) {
                nLen = this.addThread(this.nPc, this.nStart, nLen, pc + 1, st, p + 1, input, n, gen);
              }
            }
          } else if (o === OP_MATCH) {
            const endsInDigitRun = p > 0 && p < n && isDigit(input[p - 1]!) && isDigit(input[p]!);
            if (!endsInDigitRun && accept(st, p)) {
              matchStart = st;
              matchEnd = p;
              break; // lower-priority threads can only produce a less preferred match
            }
          }
        }
        steps += nLen;
        [this.cPc, this.nPc] = [this.nPc, this.cPc];
        [this.cStart, this.nStart] = [this.nStart, this.cStart];
        cLen = nLen;
        listGen = gen;
      }
      if (matchStart < 0) break;
      report(matchStart, matchEnd);
      pos = steps > budget ? Math.max(matchEnd, p) : matchEnd;
    }
    this.lastSteps = steps;
  }

  /** Adds the thread (pc, start) and its ε-closure at `pos` to a list, in priority order; returns the new length. */
  private addThread(
    pcs: Int32Array,
    starts: Int32Array,
    len: number,
    pc0: number,
    start: number,
    pos: number,
    input: Int32Array,
    n: number,
    gen: number,
  ): number {
    const { op, a, b } = this.re;
    const mark = this.mark;
    const stack = this.stack;
    let sp = 0;
    stack[sp++] = pc0;
    while (sp > 0) {
      const pc = stack[--sp]!;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const o = op[pc]!;
      if (o === OP_JMP) {
        stack[sp++] = a[pc]!;
      } else if (o === OP_SPLIT) {
        stack[sp++] = b[pc]!;
        stack[sp++] = a[pc]!;
      } else if (o === OP_ASSERT) {
        if (assertionHolds(a[pc]!, input, n, pos)) stack[sp++] = pc + 1;
      } else {
        pcs[len] = pc;
        starts[len] = start;
        len += 1;
      }
    }
    return len;
  }
}

function assertionHolds(which: number, input: Int32Array, n: number, pos: number): boolean {
  switch (which) {
    case ASSERT_BEGIN:
      return pos === 0;
    case ASSERT_END:
      return pos === n;
    default: {
      const before = pos > 0 && isWordChar(input[pos - 1]!);
      const after = pos < n && isWordChar(input[pos]!);
      return (before !== after) === (which === ASSERT_WORD_BOUNDARY);
    }
  }
}
