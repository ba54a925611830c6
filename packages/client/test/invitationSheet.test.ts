/** The QR sheet: one page per person with the organisation, the name, the department, the link and the German steps. */
import { it } from "node:test";
import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import { invitationSheetPdf } from "@bote/client/invitationSheet";

/** Every content stream of the PDF, inflated, as Latin-1 text (jsPDF's standard fonts write WinAnsi). */
function pageTexts(pdf: Uint8Array): string[] {
  const raw = Buffer.from(pdf).toString("latin1");
  const texts: string[] = [];
  for (const match of raw.matchAll(/\/Filter \/FlateDecode[^>]*>>\s*stream\r?\n/g)) {
    const start = match.index + match[0].length;
    const end = raw.indexOf("endstream", start);
    try {
      texts.push(inflateSync(Buffer.from(raw.slice(start, end), "latin1")).toString("latin1"));
    } catch {
      // Not a content stream we can read; the page count below still counts it.
    }
  }
  return texts.filter((t) => t.includes(" Tj") || t.includes("TJ"));
}

it("has one page per person, each with its own name, department and link", () => {
  const people = ["Jörg Müller", "Anja Schulz", "Łukasz Nowak"].map((displayName, i) => ({
    displayName,
    department: ["Montage", "Büro", ""][i]!,
    url: `https://bote.example/join#t=${String(i).repeat(43)}&k=${"x".repeat(300)}`,
    expiresAt: "2026-12-11T12:00:00.000Z",
  }));
  const pdf = invitationSheetPdf("Haustechnik Vogel GmbH", people);
  const raw = Buffer.from(pdf).toString("latin1");
  assert.ok(raw.startsWith("%PDF-"));
  assert.equal(raw.match(/\/Type \/Page\b/g)?.length, 3);
  const pages = pageTexts(pdf);
  assert.equal(pages.length, 3);
  pages.forEach((page, i) => {
    assert.match(page, /Haustechnik Vogel GmbH/);
    assert.match(page, /Handys und richten Sie sie auf den Code/);
    assert.match(page, /11\.12\.2026/);
    assert.ok(page.includes(`join#t=${String(i).repeat(43)}`), `page ${i + 1} carries its own link`);
    // The QR code is drawn as filled squares: many of them.
    assert.ok((page.match(/ re\b/g)?.length ?? 0) > 200);
  });
  assert.match(pages[0]!, /J\\?.rg M\\?.ller/);
  assert.match(pages[0]!, /Montage/);
  assert.match(pages[1]!, /B\\?.ro/);
  // Letters outside Windows-1252 become "?" rather than garbage.
  assert.match(pages[2]!, /\?ukasz Nowak/);
});
