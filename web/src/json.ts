/**
 * Strict JSON (zkpor/formats/strictjson.py): UTF-8 without BOM, one object at the top level, no key
 * twice, arrays and objects nested at most 32 deep, no lone surrogate in a string or key (a
 * `\ud800` escape without its pair), numbers only as integers (no fraction, exponent or -0; at
 * most 20 digits), and the canonical serialisation of docs/spec.md 12.3 (sorted keys, no whitespace, minimal escapes).
 * Integers beyond 2^53 come back as bigint, so nothing is rounded.
 */
import { InputError } from './errors.js';

export type Json = null | boolean | number | bigint | string | Json[] | { [k: string]: Json };

export const MAX_PUBLIC_FILE_BYTES = 256 * 1024 * 1024;
/** zkpor/formats/strictjson.py MAX_DEPTH: the top-level object is depth 1. */
export const MAX_DEPTH = 32;

class Parser {
  i = 0;
  line = 1;
  constructor(readonly s: string) {}

  fail(msg: string): never {
    throw new InputError(`not JSON: ${msg} (line ${this.line})`);
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '\n') this.line++;
      else if (c !== ' ' && c !== '\t' && c !== '\r') break;
      this.i++;
    }
  }

  value(depth: number): Json {
    this.ws();
    const c = this.s[this.i];
    if ((c === '{' || c === '[') && depth >= MAX_DEPTH) throw new InputError(`strict JSON: nested more than ${MAX_DEPTH} deep (line ${this.line})`);
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    if (this.i >= this.s.length) this.fail('unexpected end of text');
    this.fail(`unexpected character ${JSON.stringify(c)}`);
  }

  object(depth: number): Json {
    this.i++;
    const obj: { [k: string]: Json } = Object.create(null);
    const seen = new Set<string>();
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return obj;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('expected a key');
      const key = this.string();
      if (seen.has(key)) throw new InputError(`strict JSON: duplicate key ${JSON.stringify(key)} (line ${this.line})`);
      seen.add(key);
      this.ws();
      if (this.s[this.i] !== ':') this.fail("expected ':'");
      this.i++;
      obj[key] = this.value(depth + 1);
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return obj;
      if (c !== ',') this.fail("expected ',' or '}'");
    }
  }

  array(depth: number): Json {
    this.i++;
    const arr: Json[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return arr;
    }
    for (;;) {
      arr.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return arr;
      if (c !== ',') this.fail("expected ',' or ']'");
    }
  }

  string(): string {
    const s = this.s;
    this.i++;
    let out = '';
    for (;;) {
      if (this.i >= s.length) this.fail('unterminated string');
      const c = s[this.i++];
      if (c === '"') {
        // Escapes joined into pairs are one code point; an unpaired half is not Unicode text.
        if (/\p{Cs}/u.test(out)) throw new InputError(`strict JSON: a string holds a lone surrogate (not Unicode text) (line ${this.line})`);
        return out;
      }
      if (c === '\\') {
        const e = s[this.i++];
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in map) out += map[e];
        else if (e === 'u') {
          const h = s.slice(this.i, this.i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('bad \\u escape');
          out += String.fromCharCode(parseInt(h, 16));
          this.i += 4;
        } else this.fail('bad escape');
      } else if (c < ' ') this.fail('control character in a string');
      else out += c;
    }
  }

  number(): number | bigint {
    const m = /^-?(0|[1-9][0-9]*)([.eE])?/.exec(this.s.slice(this.i, this.i + 40));
    if (!m) this.fail('bad number');
    if (m[2]) throw new InputError(`strict JSON: number is not an integer (fractions and exponents are refused) (line ${this.line})`);
    const text = m[0];
    this.i += text.length;
    if (text === '-0') throw new InputError('strict JSON: -0 is not a canonical integer');
    if (text.replace('-', '').length > 20) throw new InputError('strict JSON: integer with more than 20 digits');
    if (/^-?0[0-9]/.test(this.s.slice(this.i - text.length, this.i + 1))) this.fail('leading zero');
    const big = BigInt(text);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
}

/** Parse one strict JSON object from a file's bytes; InputError otherwise. */
export function parseStrictJson(data: Uint8Array): { [k: string]: Json } {
  if (data.length > MAX_PUBLIC_FILE_BYTES) throw new InputError('file too large');
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) throw new InputError('file starts with a byte-order mark');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new InputError('not UTF-8');
  }
  const p = new Parser(text);
  const v = p.value(0);
  p.ws();
  if (p.i !== text.length) p.fail('extra data after the top-level value');
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError('the top level must be a JSON object');
  return v as { [k: string]: Json };
}

function canonicalString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** docs/spec.md 12.3: keys sorted by code point, no whitespace, integers, null. */
export function canonicalJson(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error('canonical JSON holds integers only');
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return canonicalString(v);
  if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
  const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return '{' + keys.map((k) => canonicalString(k) + ':' + canonicalJson(v[k])).join(',') + '}';
}
