/**
 * Whether a JPEG still carries EXIF and GPS data. The scanner lives in the
 * client core beside the metadata stripping the CLI uses, so the web app's
 * self-checks and tests and the CLI read photos with one implementation.
 */
export { jpegHasMetadata } from "@bote/core/light";
