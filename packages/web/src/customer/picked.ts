/**
 * What a customer attaches: photos are re-encoded in the browser (upright,
 * longest side 1600 px, no EXIF, so no GPS position leaves the phone, as the
 * staff app does), PDFs go as they are. Anything else is refused here, where
 * the customer can still pick another file.
 */
import { isPhoto, PhotoError, preparePhoto, type PreparedPhoto } from "../media/photo.js";

/** Ten photos or PDFs per inquiry (issue 12); the server caps a guest's uploads as well. */
export const MAX_INQUIRY_FILES = 10;
/** A PDF of a plan or an old quote; larger ones are better sent by e-mail later. */
export const MAX_PDF_BYTES = 15 * 1024 * 1024;

export type PickedFile =
  | {
      readonly kind: "photo";
      readonly id: string;
      readonly name: string;
      readonly photo: PreparedPhoto;
      readonly url: string;
    }
  | {
      readonly kind: "pdf";
      readonly id: string;
      readonly name: string;
      readonly bytes: Uint8Array;
      readonly size: number;
    };

export type PickProblem =
  | { readonly code: "too_many"; readonly limit: number }
  | { readonly code: "too_large"; readonly name: string; readonly limit: number }
  | { readonly code: "not_accepted"; readonly name: string }
  | { readonly code: "unreadable"; readonly name: string };

/** Prepares the files in the order picked; stops at the first problem and keeps what came before it. */
export async function pickFiles(
  files: readonly File[],
  already: number,
): Promise<{ picked: PickedFile[]; problem?: PickProblem }> {
  const picked: PickedFile[] = [];
  for (const file of files) {
    if (already + picked.length >= MAX_INQUIRY_FILES)
      return { picked, problem: { code: "too_many", limit: MAX_INQUIRY_FILES } };
    const id = crypto.randomUUID();
    if (isPhoto(file.type)) {
      try {
        const photo = await preparePhoto(file);
        const url = URL.createObjectURL(new Blob([photo.thumbnail as Uint8Array<ArrayBuffer>], { type: "image/jpeg" }));
        picked.push({ kind: "photo", id, name: file.name, photo, url });
      } catch (error) {
        if (error instanceof PhotoError) return { picked, problem: { code: "unreadable", name: file.name } };
        throw error;
      }
    } else if (file.type === "application/pdf" || /\.pdf$/i.test(file.name)) {
      if (file.size > MAX_PDF_BYTES)
        return { picked, problem: { code: "too_large", name: file.name, limit: MAX_PDF_BYTES } };
      const bytes = new Uint8Array(await file.arrayBuffer());
      // "%PDF-": a file named .pdf that is not one would reach the office as a broken attachment.
      if (!isPdf(bytes)) return { picked, problem: { code: "not_accepted", name: file.name } };
      picked.push({ kind: "pdf", id, name: file.name, bytes, size: file.size });
    } else {
      return { picked, problem: { code: "not_accepted", name: file.name } };
    }
  }
  return { picked };
}

function isPdf(bytes: Uint8Array): boolean {
  const magic = [0x25, 0x50, 0x44, 0x46, 0x2d];
  return magic.every((b, i) => bytes[i] === b);
}

export function releasePicked(file: PickedFile): void {
  if (file.kind === "photo") URL.revokeObjectURL(file.url);
}
