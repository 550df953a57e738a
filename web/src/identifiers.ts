/**
 * Identifier rules (zkpor/identifiers.py; docs/spec.md 10.1): text an exchange controls and
 * a verifier shows must be NFC and hold no character of general category Cc, Cf, Cs, Zl, Zp,
 * within a limit in bytes of UTF-8. The page shows identifiers as text nodes only, never markup.
 */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/** A lone UTF-16 surrogate (paired ones are one code point and do not match). */
export const LONE_SURROGATE = /\p{Cs}/u;

const KINDS: Array<[RegExp, string]> = [
  [/\p{Cc}/u, 'control'], [/\p{Cf}/u, 'format'], [/\p{Cs}/u, 'surrogate'], [/[\p{Zl}\p{Zp}]/u, 'line-break'],
];

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
    if (FORBIDDEN.test(ch)) {
      const cp = ch.codePointAt(0)!;
      const kind = KINDS.find(([re]) => re.test(ch))![1];
      return `contains a ${kind} character (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
    }
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
