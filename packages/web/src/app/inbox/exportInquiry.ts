/**
 * An inquiry as the office files it with the quote: a PDF (request, contact
 * details, photos, the conversation) and a ZIP of the photos and documents
 * as they arrived. Both are made in the browser from the decrypted inquiry;
 * nothing goes to the server. Internal notes are never exported: the PDF
 * may be handed to the customer.
 */
import { jsPDF } from "jspdf";
import { strToU8, zipSync, type Zippable } from "fflate";

export interface ExportedPhoto {
  readonly fileName: string;
  /** JPEG, as the customer's browser re-encoded it. */
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface InquiryExport {
  readonly title: string;
  readonly contactPointName: string;
  readonly receivedAtMs: number;
  readonly status: string;
  readonly assignee?: string;
  readonly contact: readonly { readonly label: string; readonly value: string }[];
  readonly text: string;
  readonly photos: readonly ExportedPhoto[];
  readonly documents: readonly { readonly fileName: string; readonly bytes: Uint8Array }[];
  readonly conversation: readonly { readonly sender: string; readonly sentAtMs: number; readonly text: string }[];
  /** Headings in the reader's language. */
  readonly labels: {
    readonly received: string;
    readonly status: string;
    readonly assignee: string;
    readonly request: string;
    readonly photos: string;
    readonly conversation: string;
  };
  readonly formatDateTime: (ms: number) => string;
}

const MARGIN = 48;
const LINE = 15;

export function inquiryPdf(e: InquiryExport): Uint8Array {
  const pdf = new jsPDF({ unit: "pt", format: "a4", compress: true });
  pdf.setProperties({ title: e.title, creator: "Bote" });
  const width = pdf.internal.pageSize.getWidth() - 2 * MARGIN;
  const bottom = pdf.internal.pageSize.getHeight() - MARGIN;
  let y = MARGIN;

  const room = (needed: number) => {
    if (y + needed > bottom) {
      pdf.addPage();
      y = MARGIN;
    }
  };
  const heading = (text: string, size = 13) => {
    room(size + LINE);
    pdf.setFont("helvetica", "bold").setFontSize(size);
    pdf.text(text, MARGIN, y + size);
    y += size + 8;
    pdf.setFont("helvetica", "normal").setFontSize(11);
  };
  const paragraph = (text: string) => {
    for (const line of pdf.splitTextToSize(text, width) as string[]) {
      room(LINE);
      pdf.text(line, MARGIN, y + 11);
      y += LINE;
    }
    y += 6;
  };

  heading(e.title, 18);
  paragraph(e.contactPointName);
  paragraph(`${e.labels.received}: ${e.formatDateTime(e.receivedAtMs)} · ${e.labels.status}: ${e.status}`);
  if (e.assignee !== undefined) paragraph(`${e.labels.assignee}: ${e.assignee}`);
  for (const { label, value } of e.contact) paragraph(`${label}: ${value}`);
  heading(e.labels.request);
  paragraph(e.text);

  if (e.photos.length > 0) heading(e.labels.photos);
  for (const [index, photo] of e.photos.entries()) {
    const scale = Math.min(1, width / photo.width, 360 / photo.height);
    const w = photo.width * scale;
    const h = photo.height * scale;
    room(h + LINE + 8);
    // JPEG goes in as it is (DCTDecode): the PDF holds the photo the customer sent, not a re-encoding.
    // An alias of its own: jsPDF would otherwise take two photos with the same hash sample for one.
    pdf.addImage(photo.bytes, "JPEG", MARGIN, y, w, h, `photo-${index}`, "NONE");
    y += h + 4;
    pdf.setFontSize(9).text(photo.fileName, MARGIN, y + 9);
    pdf.setFontSize(11);
    y += LINE + 4;
  }

  if (e.conversation.length > 0) heading(e.labels.conversation);
  for (const m of e.conversation) {
    pdf.setFont("helvetica", "bold");
    room(LINE);
    pdf.text(`${m.sender} · ${e.formatDateTime(m.sentAtMs)}`, MARGIN, y + 11);
    y += LINE;
    pdf.setFont("helvetica", "normal");
    paragraph(m.text);
  }
  return new Uint8Array(pdf.output("arraybuffer"));
}

/** The photos and documents under their own names (numbered when two share one), and the PDF beside them. */
export function inquiryZip(e: InquiryExport, pdf: Uint8Array, pdfName: string): Uint8Array {
  const files: Zippable = { [pdfName]: pdf };
  const taken = new Set([pdfName]);
  const unique = (name: string): string => {
    const safe = name.replace(/[/\\\0]/g, "_") || "datei";
    let candidate = safe;
    for (let i = 2; taken.has(candidate); i++) candidate = safe.replace(/(\.[^.]*)?$/, (ext) => ` (${i})${ext}`);
    taken.add(candidate);
    return candidate;
  };
  // Already compressed: stored, not deflated again.
  for (const p of e.photos) files[unique(p.fileName)] = [p.bytes, { level: 0 }];
  for (const d of e.documents) files[unique(d.fileName)] = [d.bytes, { level: 0 }];
  files[unique("anfrage.txt")] = strToU8(`${e.title}\n\n${e.text}\n`);
  return zipSync(files);
}
