/**
 * Outcome of a strict decoder. Decoders return failures instead of throwing
 * because their input comes from other devices and bad input is expected,
 * not exceptional; the caller decides whether it is fatal.
 */
export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: DecodeFailure };

export type DecodeFailureReason =
  "empty" | "unknown_version" | "wrong_length" | "trailing_bytes" | "invalid_text" | "invalid_field";

export interface DecodeFailure {
  readonly reason: DecodeFailureReason;
  /** Which structure and field failed, e.g. "credential.displayName"; never the input itself. */
  readonly field: string;
}

export function decodeFailure<T>(reason: DecodeFailureReason, field: string): DecodeResult<T> {
  return { ok: false, error: { reason, field } };
}

export function decodeSuccess<T>(value: T): DecodeResult<T> {
  return { ok: true, value };
}
