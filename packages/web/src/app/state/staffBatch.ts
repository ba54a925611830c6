/**
 * Inviting a staff list from a CSV file: the file is judged whole on this
 * device (parseStaffCsv), a preview shows who would be invited, and one
 * batch makes all invitations or none. The QR sheet is made here from the
 * links, never on the server.
 */
import { signal } from "@preact/signals";
import type { StaffRow } from "@bote/client/staffCsv";
import { language } from "../i18n/i18n.js";
import { runAction } from "./actions.js";
import { errorText, ownProfile, requireClient } from "./session.js";

export interface InvitedPerson {
  readonly displayName: string;
  readonly role: StaffRow["role"];
  readonly department: string;
  readonly url: string;
  readonly expiresAt: string;
}

export type BatchState =
  | { readonly step: "choose" }
  | { readonly step: "faults"; readonly fileName: string; readonly summary: string; readonly lines: readonly string[] }
  | { readonly step: "preview"; readonly fileName: string; readonly rows: readonly StaffRow[] }
  | { readonly step: "done"; readonly invited: readonly InvitedPerson[] };

export const batch = signal<BatchState>({ step: "choose" });

export function resetBatch(): void {
  batch.value = { step: "choose" };
}

/** Reads the chosen file; a bad one shows every fault and offers nothing to import. */
export async function chooseStaffFile(file: File): Promise<void> {
  // The CSV parser loads with the first file: most sessions never import a staff list.
  const { parseStaffCsv, StaffCsvError, staffCsvFaultText } = await import("@bote/client/staffCsv");
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    batch.value = { step: "preview", fileName: file.name, rows: parseStaffCsv(bytes) };
  } catch (err) {
    if (!(err instanceof StaffCsvError)) throw err;
    const lang = language.value;
    batch.value = {
      step: "faults",
      fileName: file.name,
      summary: errorText(err).split("\n")[0] ?? "",
      lines: err.faults.map((f) => staffCsvFaultText(f, lang)),
    };
  }
}

export async function inviteAll(rows: readonly StaffRow[]): Promise<void> {
  const made = await runAction("admin", () => requireClient().createInvitations(rows));
  if (made === undefined) return;
  batch.value = { step: "done", invited: made };
}

/** The PDF with one page per person; jsPDF loads only now. */
export async function downloadSheet(invited: readonly InvitedPerson[]): Promise<void> {
  await runAction("admin", async () => {
    const { invitationSheetPdf } = await import("@bote/client/invitationSheet");
    const bytes = invitationSheetPdf(ownProfile().organisationName, invited);
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/pdf" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `bote-einladungen-${new Date().toISOString().slice(0, 10)}.pdf`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  });
}
