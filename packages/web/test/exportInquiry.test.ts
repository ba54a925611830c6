/**
 * The office's copy of an inquiry: the PDF carries each photo exactly as the
 * customer sent it, and the ZIP the photos and documents under their names.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { unzipSync, strFromU8 } from "fflate";
import { inquiryPdf, inquiryZip, type InquiryExport } from "@bote/web/inbox/exportInquiry";

const jpeg = new Uint8Array(readFileSync(new URL("../test/fixtures/gps-photo.jpg", import.meta.url)));
const other = jpeg.slice();
other[other.length - 3] = (other[other.length - 3] ?? 0) ^ 0x01; // a second, different photo of the same size

const inquiry: InquiryExport = {
  title: "Anfrage vom 03.12.2026",
  contactPointName: "Dachdecker Schmidt – Anfragen",
  receivedAtMs: Date.UTC(2026, 11, 3, 9, 30),
  status: "In Bearbeitung",
  assignee: "Anna Admin",
  contact: [
    { label: "Name", value: "Jörg Müller" },
    { label: "Telefon", value: "0171 2345678" },
  ],
  text: "Nach dem Sturm fehlen Ziegel über der Gaube. Können Sie sich das ansehen?",
  photos: [
    { fileName: "dach.jpg", bytes: jpeg, width: 64, height: 48 },
    { fileName: "dach.jpg", bytes: other, width: 64, height: 48 },
  ],
  documents: [{ fileName: "plan.pdf", bytes: new TextEncoder().encode("%PDF-1.4\n%plan\n") }],
  conversation: [{ sender: "Anna Admin", sentAtMs: Date.UTC(2026, 11, 3, 10), text: "Wir kommen Donnerstag vorbei." }],
  labels: {
    received: "Eingegangen",
    status: "Status",
    assignee: "Zuständig",
    request: "Anliegen",
    photos: "Fotos",
    conversation: "Verlauf",
  },
  formatDateTime: (ms) => new Date(ms).toISOString(),
};

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

it("the PDF holds every photo byte for byte, and the request", () => {
  const pdf = inquiryPdf(inquiry);
  assert.equal(strFromU8(pdf.subarray(0, 5)), "%PDF-");
  assert.notEqual(indexOf(pdf, jpeg), -1, "first photo embedded as sent");
  assert.notEqual(indexOf(pdf, other), -1, "second photo embedded as sent");
  const text = strFromU8(pdf, true);
  assert.equal((text.match(/\/Subtype \/Image/g) ?? []).length, 2);
});

it("the ZIP holds the photos and documents under unique names, and the PDF", () => {
  const pdf = inquiryPdf(inquiry);
  const files = unzipSync(inquiryZip(inquiry, pdf, "anfrage.pdf"));
  assert.deepEqual(Object.keys(files).sort(), ["anfrage.pdf", "anfrage.txt", "dach (2).jpg", "dach.jpg", "plan.pdf"]);
  assert.deepEqual(files["dach.jpg"], jpeg);
  assert.deepEqual(files["dach (2).jpg"], other);
  assert.match(strFromU8(files["anfrage.txt"]!), /fehlen Ziegel/);
});
