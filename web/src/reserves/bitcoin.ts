/**
 * Bitcoin signed messages (docs/spec.md 10.3): legacy signmessage plus BIP 137 headers, for
 * P2PKH, P2SH-P2WPKH and P2WPKH addresses of the asset's chain (Base58Check and bech32 from
 * @scure/base, HASH160 from @noble/hashes).
 */
import { base58check, base64, bech32 } from '@scure/base';
import { ripemd160 } from '@noble/hashes/legacy';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToBig, concat, utf8 } from '../bytes.js';
import { VerificationError } from '../errors.js';
import { checkRange, recoverPublicKey } from './ecrecover.js';

const b58 = base58check(sha256);
export const NETWORKS: Record<string, [number, number, string]> = {
  bitcoin: [0x00, 0x05, 'bc'],
  'bitcoin-testnet': [0x6f, 0xc4, 'tb'],
};

export const hash160 = (b: Uint8Array): Uint8Array => ripemd160(sha256(b));

function compactSize(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >> 8);
  const b = new Uint8Array(5);
  b[0] = 0xfe;
  new DataView(b.buffer).setUint32(1, n, true);
  return b;
}

export function messageDigest(message: string): Uint8Array {
  const data = utf8(message);
  return sha256(sha256(concat(utf8('\x18Bitcoin Signed Message:\n'), compactSize(data.length), data)));
}

function b58decode(address: string): Uint8Array | null {
  try {
    return b58.decode(address);
  } catch {
    return null;
  }
}

/** The Bitcoin network whose address form `address` has (checksums aside), or null. */
export function networkOf(address: string): string | null {
  const low = address.toLowerCase();
  for (const [chain, [p2pkh, p2sh, hrp]] of Object.entries(NETWORKS)) {
    if (low.startsWith(hrp + '1')) return chain;
    const raw = b58decode(address);
    if (raw && raw.length === 21 && (raw[0] === p2pkh || raw[0] === p2sh)) return chain;
  }
  return null;
}

export type Kind = 'p2pkh' | 'p2sh' | 'p2wpkh';

/** (kind, 20-byte hash) of an address of `chain`; Error naming the reason otherwise. */
export function decodeAddress(address: string, chain: string): { kind: Kind; hash: Uint8Array } {
  const [p2pkh, p2sh, hrp] = NETWORKS[chain];
  if (!address || ![...address].every((c) => c >= '!' && c <= '~')) throw new Error('address must be printable ASCII without spaces');
  if (/^0x[0-9a-fA-F]{40}$/.test(address)) throw new Error(`an Ethereum address cannot hold reserves on chain ${chain}`);
  const other = networkOf(address);
  if (other !== null && other !== chain) throw new Error(`a ${other} address cannot hold reserves on chain ${chain}`);
  if (address.toLowerCase().startsWith(hrp + '1')) {
    if (address !== address.toLowerCase() && address !== address.toUpperCase())
      throw new Error('mixed-case bech32 address (BIP 173 allows all lower or all upper)');
    let words: number[];
    try {
      const d = bech32.decode(address.toLowerCase() as `${string}1${string}`, 90);
      if (d.prefix !== hrp) throw new Error();
      words = d.words;
    } catch {
      throw new Error('invalid bech32 address');
    }
    if (words.length < 1) throw new Error('invalid bech32 address');
    let program: Uint8Array;
    try {
      program = bech32.fromWords(words.slice(1));
    } catch {
      throw new Error('invalid bech32 address');
    }
    if (words[0] !== 0 || program.length !== 20) throw new Error('only P2WPKH (version 0, 20-byte) segwit addresses are supported');
    return { kind: 'p2wpkh', hash: program };
  }
  const raw = b58decode(address);
  if (!raw) throw new Error('invalid Base58Check address');
  if (raw.length !== 21) throw new Error('invalid address length');
  if (raw[0] === p2pkh) return { kind: 'p2pkh', hash: raw.slice(1) };
  if (raw[0] === p2sh) return { kind: 'p2sh', hash: raw.slice(1) };
  throw new Error(`address version 0x${raw[0].toString(16).padStart(2, '0')} is not a ${chain} P2PKH or P2SH version`);
}

/** Check address and signature form (10.3 steps 1-5); return signed(message) (steps 6-7). */
export function prepare(address: string, signature: string, chain: string): (message: string) => boolean {
  let kind: Kind, want: Uint8Array;
  try {
    ({ kind, hash: want } = decodeAddress(address, chain));
  } catch (e) {
    throw new VerificationError(`address: ${(e as Error).message}`);
  }
  let sig: Uint8Array;
  try {
    sig = base64.decode(signature);
  } catch {
    throw new VerificationError('signature is not base64');
  }
  if (sig.length !== 65) throw new VerificationError(`signature must be 65 bytes, got ${sig.length}`);
  const h = sig[0];
  if (h < 27 || h > 42) throw new VerificationError(`signature header ${h} out of range 27..42`);
  const recid = (h - 27) % 4;
  const compressed = h >= 31;
  if ((h >= 35 && h <= 38 && kind !== 'p2sh') || (h >= 39 && kind !== 'p2wpkh'))
    throw new VerificationError('signature header does not match the address type');
  if (!compressed && kind !== 'p2pkh') throw new VerificationError('segwit addresses need a compressed key');
  const r = bytesToBig(sig.subarray(1, 33));
  const s = bytesToBig(sig.subarray(33));
  checkRange(r, s);
  return (message: string) => {
    const Q = recoverPublicKey(messageDigest(message), r, s, recid);
    const pub = Q.toBytes(compressed);
    const got = kind === 'p2sh' ? hash160(concat(Uint8Array.of(0, 0x14), hash160(pub))) : hash160(pub);
    return got.every((b, i) => b === want[i]);
  };
}
