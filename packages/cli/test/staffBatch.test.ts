/**
 * `bote admin invite --csv` and `bote directory` over a real `bote serve`:
 * ten people from a German Excel file, one joins with her link, and every
 * colleague's directory shows her department from the organisation's
 * signature. A file with one bad row names it and leaves no invitation row.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { bote, boteOk, freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

const PEOPLE = [
  ["Jörg Müller", "Mitglied", "Montage"],
  ["Anja Schulz", "Mitglied", "Büro"],
  ["Lena Vogel", "Mitglied", "Vertrieb"],
  ["Tom Berger", "Mitglied", "Montage"],
  ["Eva Koch", "Administrator", "Geschäftsführung"],
  ["Paul Wolf", "Mitglied", "Lager"],
  ["Mia Braun", "Mitglied", "Lager"],
  ["Ben Roth", "Mitglied", "Montage"],
  ["Ida Lang", "Mitglied", "Büro"],
  ["Kai Frank", "Mitglied", ""],
];

describe("bote admin invite --csv and bote directory", { timeout: 120_000 }, () => {
  let root: string;
  let data: string;
  let server: RunningServer;
  const profile = (name: string) => ["--profile", join(root, name)];
  const invitationRows = () => {
    const db = new Database(join(data, "bote.sqlite"), { readonly: true });
    try {
      return (db.prepare("SELECT COUNT(*) AS n FROM invitations WHERE certificate IS NOT NULL").get() as { n: number })
        .n;
    } finally {
      db.close();
    }
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "bote-batch-"));
    data = join(root, "server");
    server = await startServer(data, await freePort());
    await boteOk(["join", "--link-file", join(data, "initial-admin-invite"), "--name", "Anna", ...profile("anna")]);
  });
  after(async () => {
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("a batch of ten, one joins, the directory shows her department and finds her", async () => {
    const csv = join(root, "team.csv");
    const lines = ["Name;Rolle;Abteilung", ...PEOPLE.map((p) => p.join(";"))];
    await writeFile(csv, `\uFEFF${lines.join("\r\n")}\r\n`);
    const sheet = join(root, "bogen.pdf");
    const made = await boteOk(["admin", "invite", "--csv", csv, "--sheet", sheet, "--json", ...profile("anna")]);
    const invitations = made.lines.filter((l) => l.type === "invitation");
    assert.deepEqual(
      invitations.map((l) => [l.name, l.role, l.department]),
      PEOPLE.map(([name, role, department]) => [name, role === "Administrator" ? "admin" : "member", department]),
    );
    assert.equal(invitationRows(), 10);
    const pdf = await readFile(sheet, "latin1");
    assert.ok(pdf.startsWith("%PDF-"));
    assert.equal(pdf.match(/\/Type \/Page\b/g)?.length, 10);
    assert.equal((await stat(sheet)).mode & 0o077, 0, "the sheet holds secret links");

    const lena = invitations.find((l) => l.name === "Lena Vogel");
    assert.ok(lena);
    await boteOk(["join", "-", "--name", "Lena Vogel", ...profile("lena")], { input: `${String(lena.url)}\n` });

    const found = await boteOk(["directory", "--search", "vertrieb", "--json", ...profile("anna")]);
    assert.deepEqual(
      found.lines.map((l) => [l.name, l.role, l.department]),
      [["Lena Vogel", "member", "Vertrieb"]],
    );
    const text = await boteOk(["directory", ...profile("anna")]);
    assert.match(text.stdout, /Lena Vogel — Mitglied, Vertrieb/);
    // Lena reads the same signed log: Anna, without a department, is her colleague.
    const hers = await boteOk(["directory", "--json", ...profile("lena")]);
    assert.deepEqual(
      hers.lines.map((l) => [l.name, l.department]),
      [["Anna", ""]],
    );
    const none = await boteOk(["directory", "--search", "niemand", ...profile("anna")]);
    assert.match(none.stdout, /Niemand gefunden/);

    // An admin moves her later; a member cannot, even from her own profile.
    await boteOk(["admin", "department", "Lena Vogel", "--department", "Einkauf", ...profile("anna")]);
    const moved = await boteOk(["directory", "--search", "lena", "--json", ...profile("anna")]);
    assert.deepEqual(
      moved.lines.map((l) => l.department),
      ["Einkauf"],
    );
    const refused = await bote(["admin", "department", "Anna", "--department", "Lager", ...profile("lena")]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /nur Administratoren/);
  });

  it("a CSV with bad rows names each row and field and imports nothing", async () => {
    const before = invitationRows();
    const csv = join(root, "bad.csv");
    await writeFile(csv, "Name;Rolle;Abteilung\nOla Nord;Mitglied;Lager\nPia Süd;Chefin;Lager\n;Mitglied;Büro\n");
    const de = await bote(["admin", "invite", "--csv", csv, ...profile("anna")]);
    assert.equal(de.code, 1, de.stderr);
    assert.match(de.stderr, /niemand wurde eingeladen/);
    assert.match(de.stderr, /Zeile 3, Rolle: ist keine Rolle/);
    assert.match(de.stderr, /Zeile 4, Name: fehlt/);
    const en = await bote(["admin", "invite", "--csv", csv, "--json", ...profile("anna")], { lang: "en_US.UTF-8" });
    assert.equal(en.code, 1);
    assert.match(en.stdout + en.stderr, /"code":"csv_invalid"/);
    assert.match(en.stdout + en.stderr, /Row 3, role: is not a role/);
    const missing = await bote(["admin", "invite", "--csv", join(root, "fehlt.csv"), ...profile("anna")]);
    assert.equal(missing.code, 2);
    const both = await bote(["admin", "invite", "--csv", csv, "--name", "Ola", ...profile("anna")]);
    assert.equal(both.code, 2);
    assert.equal(invitationRows(), before);
  });
});
