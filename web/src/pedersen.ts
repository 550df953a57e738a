/** Pedersen commitments (docs/spec.md 4): commit(v, r) = v*G + r*H. */
import { G, mul, type Point } from './group.js';
import { H } from './generators.js';

export function commit(v: bigint, r: bigint): Point {
  return mul(G, v).add(mul(H, r));
}
