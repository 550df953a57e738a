/**
 * One asset's reserves as the verifiers check them (docs/spec.md 10.5, verify_asset_reserves):
 * per address its text, no duplicate (by what it designates), its balance, its ownership
 * signature over ownership_message(exchange, round, address) (10.2: legacy 10.3, Ethereum
 * 10.4, BIP-322 10.9 and 10.11 for P2TR and P2WSH addresses and prefixed signatures); the
 * total below 2^64.
 * Every problem is listed (up to 50).
 */
import { bytesToHex } from '../bytes.js';
import { VerificationError } from '../errors.js';
import { identifierProblem, shown } from '../identifiers.js';
import { parseAmount } from '../amounts.js';
import type { ReserveAddress } from '../models.js';
import * as bitcoin from './bitcoin.js';
import * as ethereum from './ethereum.js';
import * as bip322 from './bip322.js';
import * as multisig from './multisig.js';

export function ownershipMessage(exchange: string, roundId: string, address: string): string {
  return `zkpor proof of reserves\nexchange: ${exchange}\nround: ${roundId}\naddress: ${address}`;
}

/** What an address designates, the key of 10.5's duplicate rule (reserves.json `designates`). */
export function addressKey(chain: string, address: string): string {
  if (chain === 'ethereum') return address.toLowerCase();
  if (bip322.needsBip322(address, chain)) return 'segwit:' + address.toLowerCase();
  try {
    const { kind, hash } = bitcoin.decodeAddress(address, chain);
    return `${kind}:${bytesToHex(hash)}`;
  } catch {
    return address;
  }
}

/**
 * BIP-322 (10.9, 10.11) for a P2TR or P2WSH address, or a Bitcoin address whose signature has
 * a BIP-322 prefix: the address and the signature's form, then the script the spend reveals
 * must be a standard m-of-n (zkpor's `_bip322_check`, same order and words).
 */
function bip322Check(chain: string, address: string, signature: string): (m: string) => boolean {
  const signed = bip322.prepare(address, signature, chain);
  const items = bip322.spendItems(signature);
  if (items) {
    try {
      multisig.bip322Spend(bip322.decodeSegwit(address, chain).kind, items.scriptSig, items.witness);
    } catch (e) {
      throw new VerificationError(`signature: the script this signature spends with is not a standard m-of-n: ${(e as Error).message}`);
    }
  }
  return signed;
}

function signatureCheck(chain: string, address: string, signature: string): (m: string) => boolean {
  if (bip322.needsBip322(address, chain) || (chain in bitcoin.NETWORKS && ['ful', 'smp', 'pof'].includes(signature.slice(0, 3))))
    return bip322Check(chain, address, signature);
  if (chain === 'ethereum') {
    const other = address.startsWith('0x') ? null : bitcoin.networkOf(address);
    if (other !== null) throw new VerificationError(`address: a ${other} address cannot hold reserves on chain ethereum`);
    return ethereum.prepare(address, signature);
  }
  return bitcoin.prepare(address, signature, chain);
}

/**
 * The wrong messages of 10.5 step 3.5 that need no snapshot header (a manifest has none):
 * the expected exchange and round with a trailing LF, a trailing CRLF, CRLF line ends.
 */
const VARIANTS: Array<[string, (m: string) => string]> = [
  ['a trailing LF', (m) => m + '\n'],
  ['a trailing CRLF', (m) => m + '\r\n'],
  ['CRLF line ends', (m) => m.replace(/\n/g, '\r\n')],
];

/**
 * Over which message a well-formed signature verifies: 'expected' (the ownership message),
 * else the name of the first variant of VARIANTS it verifies over, else null. A malformed
 * address or signature (10.3 steps 1-5, 10.4 steps 1-4, 10.9) raises VerificationError; a
 * BIP-322 script this page cannot evaluate raises bip322.UncheckedSignature.
 */
export function diagnoseSignature(chain: string, address: string, signature: string, exchange: string, roundId: string): string | null {
  const expected = ownershipMessage(exchange, roundId, address);
  const signed = signatureCheck(chain, address, signature);
  if (signed(expected)) return 'expected';
  const found = VARIANTS.find(([, f]) => {
    try {
      return signed(f(expected));
    } catch {
      return false;
    }
  });
  return found ? found[0] : null;
}

/** Why a multisig entry signed key by key (10.11) fails, or null when at least m keys signed. */
export function multisigProblem(chain: string, address: string, entry: multisig.MultisigEntry, expected: string): string | null {
  let p: multisig.Prepared;
  try {
    p = multisig.prepare(address, chain, entry);
  } catch (e) {
    return (e as Error).message;
  }
  if (p.signed(expected)) return null;
  const found = VARIANTS.find(([, f]) => p.signed(f(expected)));
  if (found) return `signed a different message: the expected text with ${found[0]}; expected '${shown(expected, 400)}'`;
  return multisig.shortfall(p.multisig, p.tally(expected));
}

/**
 * The asset's total in base units; VerificationError listing every problem. A signature
 * this page cannot evaluate (bip322.UncheckedSignature) is no problem and no pass: its line
 * goes to `unchecked`.
 */
export function verifyAssetReserves(
  asset: string, chain: string, addresses: ReserveAddress[], exchange: string, roundId: string, decimals: number,
  unchecked: string[] = [],
): bigint {
  const problems: string[] = [];
  const seen = new Set<string>();
  let total = 0n;
  addresses.forEach((a, i) => {
    if (problems.length >= 50) return;
    const at = `manifest: asset ${asset} reserves.addresses[${i}] ${shown(a.address)}`;
    const p = identifierProblem(a.address) ?? ([...a.address].every((c) => c >= '!' && c <= '~') ? null : 'must be printable ASCII without spaces');
    if (p) {
      problems.push(`${at}: address ${p}`);
      return;
    }
    const key = addressKey(chain, a.address);
    if (seen.has(key)) {
      problems.push(`${at}: duplicate address`);
      return;
    }
    seen.add(key);
    try {
      total += parseAmount(a.balance, decimals);
    } catch (e) {
      problems.push(`${at}: balance: ${(e as Error).message}`);
    }
    const expected = ownershipMessage(exchange, roundId, a.address);
    if (a.multisig !== undefined) {
      const p = multisigProblem(chain, a.address, a.multisig, expected);
      if (p) problems.push(`${at}: ${p}`);
      return;
    }
    let found: string | null;
    try {
      found = diagnoseSignature(chain, a.address, a.signature ?? '', exchange, roundId);
    } catch (e) {
      if (e instanceof bip322.UncheckedSignature) unchecked.push(`asset ${asset} reserves.addresses[${i}] ${shown(a.address)}: ${e.message}`);
      else problems.push(`${at}: ${(e as Error).message}`);
      return;
    }
    if (found === 'expected') return;
    problems.push(found
      ? `${at}: signed a different message: the expected text with ${found}; expected '${shown(expected, 400)}'`
      : `${at}: signature was not made by this address's key over the expected message`);
  });
  if (total >= 1n << 64n) problems.push(`manifest: asset ${asset}: total does not fit in 64 bits of base units`);
  if (problems.length) throw new VerificationError(problems.join('\n'));
  return total;
}
