/**
 * The two ways a check ends badly, as in zkpor.errors (docs/spec/errors.md 13):
 * VerificationError (a proof, opening, signature or digest check failed: the page shows
 * "failed"; CheckFailure also says which) and InputError (a file that is not what it claims
 * to be, or a malformed digest: the page shows "error").
 */
export class VerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerificationError';
  }
}

/**
 * A customer's check failed (verify.ts verifyUser), with what failed: the digest, the manifest
 * or the proof (failures.ts; zkpor.errors.CustomerCheckFailed). Its message is the failed
 * check's own (the technical reason), unchanged.
 */
export class CheckFailure extends VerificationError {
  constructor(readonly failed: 'digest' | 'manifest' | 'proof', message: string) {
    super(message);
    this.name = 'CheckFailure';
  }
}

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Run `f`; an InputError or plain Error becomes a VerificationError prefixed by `where`. */
export function asVerification<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof VerificationError) throw new VerificationError(`${where}: ${e.message}`);
    throw new VerificationError(`${where}: ${(e as Error).message}`);
  }
}
