/**
 * Identifier rules (zkpor/identifiers.py; docs/spec.md 10.1): text an exchange controls and
 * a verifier shows must be NFC and hold no character of general category Cc, Cf, Cs, Zl, Zp,
 * within a limit in bytes of UTF-8. The page shows identifiers as text nodes only, never markup.
 */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

export function identifierProblem(text: string, maxBytes?: number): string | null {
  if (text.length === 0) return 'is empty';
  for (const ch of text) {
    if (FORBIDDEN.test(ch) || /[\uD800-\uDFFF]/.test(ch)) {
      const cp = ch.codePointAt(0)!;
      const kind = /\p{Cc}/u.test(ch) ? 'control' : /\p{Cf}/u.test(ch) ? 'format' : /[\uD800-\uDFFF]/.test(ch) ? 'surrogate' : 'line-break';
      return `contains a ${kind} character (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
    }
  }
  if (text.normalize('NFC') !== text) return 'is not in Unicode normalization form NFC';
  if (maxBytes !== undefined && new TextEncoder().encode(text).length > maxBytes)
    return `is longer than ${maxBytes} bytes of UTF-8`;
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
