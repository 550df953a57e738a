/**
 * Ethereum personal_sign (docs/spec.md 10.4, EIP-191 version 0x45): EIP-55 checksums,
 * v in {27, 28, 0, 1}, the signer's address = last 20 bytes of Keccak-256(x || y).
 */
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, bytesToBig, concat, hexToBytes, utf8 } from '../bytes.js';
import { VerificationError } from '../errors.js';
import { checkRange, recoverPublicKey } from './ecrecover.js';

export function messageDigest(message: string): Uint8Array {
  const data = utf8(message);
  return keccak_256(concat(utf8(`\x19Ethereum Signed Message:\n${data.length}`), data));
}

/** The EIP-55 checksum form of a 0x-prefixed 20-byte hex address (any case). */
export function toChecksumAddress(address: string): string {
  const digits = address.slice(2).toLowerCase();
  const h = bytesToHex(keccak_256(utf8(digits)));
  return '0x' + [...digits].map((c, i) => (parseInt(h[i], 16) >= 8 ? c.toUpperCase() : c)).join('');
}

export function checkAddress(address: string): Uint8Array {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new VerificationError('address: not a 0x-prefixed 20-byte hex address');
  const digits = address.slice(2);
  if (digits !== digits.toLowerCase() && digits !== digits.toUpperCase()) {
    const h = bytesToHex(keccak_256(utf8(digits.toLowerCase())));
    for (let i = 0; i < 40; i++) {
      const c = digits[i];
      if (/[a-fA-F]/.test(c) && (parseInt(h[i], 16) >= 8) !== (c === c.toUpperCase()))
        throw new VerificationError('address: bad EIP-55 checksum');
    }
  }
  return hexToBytes(digits.toLowerCase());
}

export function prepare(address: string, signature: string): (message: string) => boolean {
  const want = checkAddress(address);
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) throw new VerificationError('signature must be 0x-prefixed hex of 65 bytes');
  const sig = hexToBytes(signature.slice(2).toLowerCase());
  const r = bytesToBig(sig.subarray(0, 32));
  const s = bytesToBig(sig.subarray(32, 64));
  const v = sig[64];
  checkRange(r, s);
  if (![27, 28, 0, 1].includes(v)) throw new VerificationError(`signature v is ${v}: only 27, 28, 0 or 1 are accepted`);
  const recid = v >= 27 ? v - 27 : v;
  return (message: string) => {
    const Q = recoverPublicKey(messageDigest(message), r, s, recid);
    const got = keccak_256(Q.toBytes(false).subarray(1)).subarray(12);
    return got.every((b, i) => b === want[i]);
  };
}
