export type MediaErrorCode =
  /** The bytes are not the well-formed image they start like. */
  | "not_an_image"
  /** An image format whose metadata is not removed here (HEIC, WebP, GIF, …). */
  | "metadata_unsupported";

/** The one error type of the photo functions, so callers can switch on `code`. */
export class MediaError extends Error {
  override readonly name = "MediaError";

  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
  }
}
