/**
 * Staff provisioning and the directory in Chromium at phone size, against
 * one `bote serve` process: a CSV with a bad row names it and the server
 * holds no invitation; a CSV of ten is previewed, invited at once and
 * printed as a ten-page QR sheet; Lena joins with her link, and the
 * directory shows her department and finds her by it.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Browser } from "playwright-core";
import { chromiumSkipReason } from "./support/browserPage.js";
import {
  PHONE,
  joinTeam,
  launchChromium,
  openPerson,
  screen,
  startBote,
  type BoteServer,
  type Person,
} from "./support/webApp.js";

const skip = chromiumSkipReason("web staff provisioning end-to-end");

const TEAM = [
  "Name;Rolle;Abteilung",
  "Jörg Müller;Mitglied;Montage",
  "Anja Schulz;Mitglied;Büro",
  "Lena Vogel;Mitglied;Vertrieb",
  "Tom Berger;Mitglied;Montage",
  "Eva Koch;Administrator;Geschäftsführung",
  "Paul Wolf;Mitglied;Lager",
  "Mia Braun;Mitglied;Lager",
  "Ben Roth;Mitglied;Montage",
  "Ida Lang;Mitglied;Büro",
  "Kai Frank;Mitglied;",
];

describe("staff provisioning and the directory, end to end in Chromium", { skip, timeout: 120_000 }, () => {
  let server: BoteServer;
  let browser: Browser;
  let anna: Person;
  let lena: Person;
  const invitationRows = () => {
    const db = new Database(join(server.dataDir, "bote.sqlite"), { readonly: true });
    try {
      return (db.prepare("SELECT COUNT(*) AS n FROM invitations WHERE certificate IS NOT NULL").get() as { n: number })
        .n;
    } finally {
      db.close();
    }
  };
  const chooseCsv = (name: string, text: string) =>
    anna.page.locator("#staff-csv").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(text) });

  before(async () => {
    server = await startBote("Haustechnik Vogel GmbH");
    browser = await launchChromium();
    anna = await openPerson(browser, "Anna Admin", PHONE, server.url);
    lena = await openPerson(browser, "Lena Vogel", PHONE, server.url);
    await joinTeam(server, anna, []);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("a CSV with a bad row names the row and field and imports nothing", async () => {
    await anna.page.goto(`${server.url}/#/admin`);
    await anna.page.getByRole("link", { name: "Mehrere einladen (CSV)" }).click();
    await chooseCsv(
      "falsch.csv",
      "Name;Rolle;Abteilung\nOla Nord;Mitglied;Lager\n;Mitglied;Büro\nPia Süd;Chefin;Lager\n",
    );
    const alert = anna.page.getByRole("alert");
    await alert.getByText("niemand wurde eingeladen").waitFor();
    await alert.getByText("Zeile 3, Name: fehlt").waitFor();
    await alert.getByText("Zeile 4, Rolle: ist keine Rolle").waitFor();
    assert.equal(await anna.page.getByRole("button", { name: /einladen$/ }).count(), 0);
    assert.equal(invitationRows(), 0);
  });

  it("a CSV of ten: preview, invite all, a ten-page QR sheet; Lena joins and the directory finds her", async () => {
    await chooseCsv("team.csv", `\uFEFF${TEAM.join("\r\n")}\r\n`);
    await anna.page.getByText("10 Personen aus team.csv").waitFor();
    assert.equal(await anna.page.locator(".csv-preview tbody tr").count(), 10);
    await screen(anna.page, "batch-invite-phone");
    await anna.page.getByRole("button", { name: "Alle 10 einladen" }).click();
    await anna.page.getByText("10 Personen eingeladen.").waitFor();
    assert.equal(invitationRows(), 10);

    const download = anna.page.waitForEvent("download");
    await anna.page.getByRole("button", { name: "QR-Bogen herunterladen (PDF)" }).click();
    const pdf = await readFile(await (await download).path(), "latin1");
    assert.ok(pdf.startsWith("%PDF-"));
    assert.equal(pdf.match(/\/Type \/Page\b/g)?.length, 10);

    const link = await anna.page.getByLabel("Einladungslink für Lena Vogel").inputValue();
    await lena.page.goto(link);
    await lena.page.getByRole("button", { name: "Beitreten" }).click();
    await lena.page.getByRole("link", { name: "Neuer Chat" }).waitFor();

    await anna.page.goto(`${server.url}/#/colleagues`);
    const list = anna.page.locator(".colleague-list");
    await list.getByText("Lena Vogel").waitFor();
    await list.getByText("Vertrieb").waitFor();
    await anna.page.getByLabel("Suchen nach Name, Abteilung oder Funktion").fill("vertr");
    await list.locator("li").filter({ hasText: "Lena Vogel" }).waitFor();
    assert.equal(await list.locator("li").count(), 1);
    await anna.page.getByLabel("Suchen nach Name, Abteilung oder Funktion").fill("");
    await screen(anna.page, "directory-phone");
    await anna.page.getByLabel("Suchen nach Name, Abteilung oder Funktion").fill("Lager");
    await anna.page.getByText("Niemand gefunden.").waitFor();

    // The admin moves her to another department in the Verwaltung; the directory follows.
    await anna.page.goto(`${server.url}/#/admin`);
    await anna.page.getByRole("textbox", { name: "Abteilung von Lena Vogel" }).fill("Einkauf");
    await anna.page.getByRole("button", { name: "Abteilung von Lena Vogel speichern" }).click();
    await anna.page.getByText("Abteilung von Lena Vogel gespeichert.").waitFor();
    await anna.page.goto(`${server.url}/#/colleagues`);
    await anna.page.getByLabel("Suchen nach Name, Abteilung oder Funktion").fill("einkauf");
    await list.locator("li").filter({ hasText: "Lena Vogel" }).getByText("Einkauf").waitFor();

    // Every member has the directory, from the same signed log: Lena sees Anna.
    await lena.page.goto(`${server.url}/#/colleagues`);
    await lena.page.locator(".colleague-list").getByText("Anna Admin").waitFor();
    assert.deepEqual([...anna.problems, ...lena.problems], []);
  });
});
