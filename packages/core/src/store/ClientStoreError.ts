export type ClientStoreErrorCode =
  /** `apply` was given a record that breaks the rules in `ClientStore.apply`; nothing was stored. */
  | "store_changes_invalid"
  /** The profile's storage is not a Bote profile (another file, or damaged beyond opening). */
  | "profile_unreadable"
  /** The profile was written by a newer Bote with a schema this version does not know. */
  | "profile_too_new"
  /**
   * The profile was written by an older Bote, before the organisation key
   * chain: it has no account key and no organisation view, and neither can
   * be made up afterwards (they come only with an invitation).
   */
  | "profile_outdated";

/** The one error type a ClientStore throws on purpose, so callers can switch on `code`. */
export class ClientStoreError extends Error {
  override readonly name = "ClientStoreError";

  constructor(
    readonly code: ClientStoreErrorCode,
    message: string,
    options?: { cause?: unknown; path?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.path = options?.path;
  }

  /** For store_changes_invalid: the faulty field, e.g. "conversations[2].state". */
  readonly path: string | undefined;
}
