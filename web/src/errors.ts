/**
 * The two ways a check ends badly, as in zkpor.errors (docs/spec.md 13):
 * VerificationError (a proof, opening, signature or digest check failed: the page shows
 * "failed") and InputError (a file that is not what it claims to be: the page shows "error").
 */
export class VerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerificationError';
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
