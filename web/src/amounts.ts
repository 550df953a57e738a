/**
 * Exact decimal amounts (docs/spec.md 8.1, 10.1): ASCII digits, optionally a point and at
 * most `decimals` fraction digits, no sign or exponent; never a float.
 */
const AMOUNT_RE = /^[0-9]+(\.[0-9]+)?$/;

/** Base units of `text` at `decimals`; refused above `limit` - 1 (default 2^64). */
export function parseAmount(text: string, decimals: number, limit: bigint = 1n << 64n): bigint {
  if (typeof text !== 'string' || !AMOUNT_RE.test(text)) throw new Error(`amount ${JSON.stringify(text)} is not a plain decimal`);
  const [whole, frac = ''] = text.split('.');
  if (frac.length > decimals) throw new Error(`amount has ${frac.length} decimals; the asset allows ${decimals}`);
  const units = BigInt(whole + frac.padEnd(decimals, '0'));
  if (units >= limit) throw new Error('amount does not fit in 64 bits');
  return units;
}

/** `units` at `decimals`: whole "." fraction with trailing zeros removed, one digit kept. */
export function formatUnits(units: bigint, decimals: number): string {
  if (decimals === 0) return units.toString();
  const s = units.toString().padStart(decimals + 1, '0');
  const whole = s.slice(0, s.length - decimals);
  let frac = s.slice(s.length - decimals).replace(/0+$/, '');
  if (frac === '') frac = '0';
  return `${whole}.${frac}`;
}
