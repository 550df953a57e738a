/**
 * Identifier rules (zkpor/formats/identifiers.py; docs/spec.md 10.1, 12.7): text an exchange controls
 * and a verifier shows must be NFC and hold no character of general category Cc, Cf, Cs, Zl,
 * Zp, within a limit in bytes of UTF-8. The page shows identifiers as text nodes only, never markup.
 *
 * Categories are Unicode 14.0.0's (zkpor's): a character is refused when 14.0.0 or the
 * engine's own tables put it in a refused category, and a code point unassigned in 14.0.0 is
 * refused too (12.7's SHOULD), so that no browser, with older or newer tables, accepts what
 * zkpor refuses.
 */
import { REFUSED_14, UNASSIGNED_14 } from './unicode14.js';

type Ranges = { starts: Uint32Array; ends: Uint32Array };

function decodeRanges(text: string): Ranges {
  const parts = text.split(',');
  const starts = new Uint32Array(parts.length);
  const ends = new Uint32Array(parts.length);
  parts.forEach((p, i) => {
    const [a, b = a] = p.split('-');
    starts[i] = parseInt(a, 36);
    ends[i] = parseInt(b, 36);
  });
  return { starts, ends };
}

let tables: { refused: Ranges; unassigned: Ranges } | null = null;

/** Whether `cp` lies in one of the sorted, disjoint ranges (binary search). */
function inRanges(r: Ranges, cp: number): boolean {
  let lo = 0, hi = r.starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < r.starts[mid]) hi = mid - 1;
    else if (cp > r.ends[mid]) lo = mid + 1;
    else return true;
  }
  return false;
}

function unicode14() {
  return (tables ??= { refused: decodeRanges(REFUSED_14), unassigned: decodeRanges(UNASSIGNED_14) });
}

/** Unicode 14.0.0: `cp` is in category Cc, Cf, Cs, Zl or Zp. */
export function refusedIn14(cp: number): boolean {
  return inRanges(unicode14().refused, cp);
}

/** Unicode 14.0.0: `cp` is unassigned (category Cn, noncharacters included). */
export function unassignedIn14(cp: number): boolean {
  return inRanges(unicode14().unassigned, cp);
}

const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/** A lone UTF-16 surrogate (paired ones are one code point and do not match). */
export const LONE_SURROGATE = /\p{Cs}/u;

/** The kind a refused code point is named by (Cc, Cs, Zl and Zp are fixed sets; the rest Cf). */
function kindOf(cp: number): string {
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return 'control';
  if (cp >= 0xd800 && cp <= 0xdfff) return 'surrogate';
  if (cp === 0x2028 || cp === 0x2029) return 'line-break';
  return 'format';
}

const hex = (cp: number) => cp.toString(16).toUpperCase().padStart(4, '0');

/** Bytes of UTF-8 of well-formed text (no lone surrogate: TextEncoder would write U+FFFD). */
export function utf8Length(text: string): number {
  if (LONE_SURROGATE.test(text)) throw new Error('text holds a lone surrogate');
  return new TextEncoder().encode(text).length;
}

/**
 * Why `text` is not an identifier, or null. Walks code points (`for...of`), never UTF-16
 * code units: U+1F680 is one character of 4 bytes, not two surrogates; a lone surrogate
 * (only possible from a `\ud800` escape or a JS caller) is category Cs and refused.
 */
export function identifierProblem(text: string, maxBytes?: number): string | null {
  if (text.length === 0) return 'is empty';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (refusedIn14(cp) || FORBIDDEN.test(ch)) return `contains a ${kindOf(cp)} character (U+${hex(cp)})`;
    if (unassignedIn14(cp)) return `contains a character unassigned in Unicode 14.0.0 (U+${hex(cp)})`;
  }
  if (text.normalize('NFC') !== text) return 'is not in Unicode normalization form NFC';
  if (maxBytes !== undefined && utf8Length(text) > maxBytes) return `is longer than ${maxBytes} bytes of UTF-8`;
  return null;
}

export function checkText(text: string, what: string, maxBytes?: number): string {
  const p = identifierProblem(text, maxBytes);
  if (p !== null) throw new Error(`${what} ${p}`);
  return text;
}

/** `text` for a message: non-printable characters escaped, cut at `limit` characters. */
export function shown(text: string, limit = 80): string {
  let out = '';
  let count = 0;
  for (const ch of text) {
    if (count++ >= limit) return out + '…';
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === ' ' || (!FORBIDDEN.test(ch) && !/[\p{Z}\p{C}]/u.test(ch))) out += ch;
    else if (cp < 0x100) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out;
}
