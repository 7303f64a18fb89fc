import type { CodeOf } from './error-codes.js';

/**
 * Every error toolseal raises is a {@link ToolsealError} with a stable `code`.
 * Callers branch on `code`, never on message text; messages are for people. Each class takes
 * only the codes `src/error-codes.ts` registers for it, so a code has one class and one meaning.
 *
 * Two families matter to the CLI's exit contract (DESIGN §4):
 * a {@link VerificationError} is a *verdict* (exit 1): the thing was checked and failed;
 * every other error means toolseal *could not run* (exit 2).
 */
export class ToolsealError extends Error {
  /** A stable, SCREAMING_SNAKE identifier for this kind of failure. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Input that is not valid: a malformed file, a bad flag, JSON with duplicate keys. */
export class InputError extends ToolsealError {
  declare readonly code: CodeOf<'InputError'>;
  constructor(code: CodeOf<'InputError'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A manifest that does not satisfy the manifest schema or cannot be canonicalized. */
export class ManifestError extends ToolsealError {
  declare readonly code: CodeOf<'ManifestError'>;
  constructor(code: CodeOf<'ManifestError'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A live MCP server could not be captured: spawn failure, timeout, protocol abuse. */
export class CaptureError extends ToolsealError {
  declare readonly code: CodeOf<'CaptureError'>;
  constructor(code: CodeOf<'CaptureError'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A policy file or policy flags that are malformed or contradictory. */
export class PolicyError extends ToolsealError {
  declare readonly code: CodeOf<'PolicyError'>;
  constructor(code: CodeOf<'PolicyError'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Signing could not complete: no identity token, unreachable Fulcio/Rekor, bad key. */
export class SigningError extends ToolsealError {
  declare readonly code: CodeOf<'SigningError'>;
  constructor(code: CodeOf<'SigningError'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Trust material (trusted root, TUF) could not be obtained or is malformed. */
export class TrustError extends ToolsealError {
  declare readonly code: CodeOf<'TrustError'>;
  constructor(code: CodeOf<'TrustError'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * A verification that ran and failed: bad signature, wrong signer, digest or manifest
 * mismatch. This is a verdict, not a malfunction.
 */
export class VerificationError extends ToolsealError {
  declare readonly code: CodeOf<'VerificationError'>;
  constructor(code: CodeOf<'VerificationError'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** True when `err` is a verdict (exit 1) rather than a failure to run (exit 2). */
export function isVerdictError(err: unknown): err is VerificationError {
  return err instanceof VerificationError;
}
