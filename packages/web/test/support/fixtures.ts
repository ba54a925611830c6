/** Committed test files, by absolute path (this module runs from dist-test/support/). */
import { fileURLToPath } from "node:url";

/**
 * A 2400×1800 JPEG with an EXIF block (Orientation 1) and a GPS position in
 * Berlin (52°31'12" N, 13°24'18" E), as a phone camera writes it. Made once
 * by makeGpsPhoto.ts: `node packages/web/dist-test/support/makeGpsPhoto.js`.
 */
export const gpsPhotoPath: string = fileURLToPath(new URL("../../test/fixtures/gps-photo.jpg", import.meta.url));

export const gpsPhotoSize = { width: 2400, height: 1800 } as const;
