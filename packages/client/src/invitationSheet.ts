/**
 * The printable invitation sheet: one A4 page per person with the
 * organisation's name, the person's name and department, the invitation's
 * QR code, the link as text and short German instructions. The web app and
 * `bote admin invite --sheet` make the same bytes. A subpath export
 * (`@bote/client/invitationSheet`), so only what prints loads jsPDF.
 *
 * The QR code is drawn as vector squares from its module matrix: sharp at
 * any printer resolution and identical in browsers and Node.
 */
import { jsPDF } from "jspdf";
import QRCode from "qrcode";

export interface SheetPerson {
  readonly displayName: string;
  readonly department: string;
  readonly url: string;
  /** ISO time, shown as the date until which the link works. */
  readonly expiresAt: string;
}

const INSTRUCTIONS = [
  "So treten Sie bei:",
  "1. Öffnen Sie die Kamera Ihres Handys und richten Sie sie auf den Code.",
  "2. Tippen Sie auf den Link, der erscheint. Bote öffnet sich im Browser.",
  "3. Bestätigen Sie Ihren Namen und tippen Sie auf „Beitreten“.",
  "4. Tipp: Fügen Sie Bote zum Startbildschirm hinzu.",
  "Der Code gilt nur für Sie und nur einmal. Bitte nicht weitergeben.",
];

// jsPDF's standard fonts speak Windows-1252: German is fine, other letters become "?" rather than garbage.
function printable(text: string): string {
  return [...text.normalize("NFC")].map((ch) => (/[\u0020-\u007e\u00a0-\u00ff„“‚‘–—…€]/u.test(ch) ? ch : "?")).join("");
}

function drawQr(pdf: jsPDF, url: string, x: number, y: number, size: number): void {
  const modules = QRCode.create(url, { errorCorrectionLevel: "M" }).modules;
  // A quiet zone of four modules, as the standard asks.
  const cell = size / (modules.size + 8);
  pdf.setFillColor(0, 0, 0);
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (modules.get(row, col)) pdf.rect(x + (col + 4) * cell, y + (row + 4) * cell, cell, cell, "F");
    }
  }
}

function formatDate(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`;
}

/** The PDF's bytes: one page per person, in the order given. */
export function invitationSheetPdf(organisationName: string, people: readonly SheetPerson[]): Uint8Array {
  const pdf = new jsPDF({ unit: "mm", format: "a4", compress: true });
  pdf.setProperties({ title: printable(`Bote – Einladungen ${organisationName}`), creator: "Bote" });
  people.forEach((person, i) => {
    if (i > 0) pdf.addPage();
    pdf.setFont("helvetica", "normal").setFontSize(14).setTextColor(90, 90, 90);
    pdf.text(printable(organisationName), 105, 25, { align: "center" });
    pdf.setFont("helvetica", "bold").setFontSize(26).setTextColor(0, 0, 0);
    pdf.text(printable(person.displayName), 105, 42, { align: "center", maxWidth: 170 });
    if (person.department !== "") {
      pdf.setFont("helvetica", "normal").setFontSize(16).setTextColor(60, 60, 60);
      pdf.text(printable(person.department), 105, 52, { align: "center", maxWidth: 170 });
    }
    pdf.setFont("helvetica", "normal").setFontSize(13).setTextColor(0, 0, 0);
    pdf.text("Ihre Einladung zu Bote, dem Messenger Ihres Unternehmens", 105, 64, { align: "center" });
    drawQr(pdf, person.url, 55, 70, 100);
    pdf.setFontSize(12);
    INSTRUCTIONS.forEach((line, j) => {
      pdf.setFont("helvetica", j === 0 ? "bold" : "normal");
      pdf.text(line, 25, 186 + j * 8, { maxWidth: 160 });
    });
    pdf.setFont("helvetica", "normal").setFontSize(10).setTextColor(60, 60, 60);
    pdf.text(`Gültig bis ${formatDate(person.expiresAt)}. Ohne Kamera: diesen Link im Browser öffnen:`, 25, 242);
    pdf.setFont("courier", "normal").setFontSize(8);
    pdf.text(pdf.splitTextToSize(person.url, 160) as string[], 25, 249);
  });
  return new Uint8Array(pdf.output("arraybuffer"));
}
