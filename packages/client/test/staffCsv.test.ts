/** The staff CSV gate: German and English spreadsheets read alike; every bad row is named, none is imported. */
import { it } from "node:test";
import assert from "node:assert/strict";
import { MAX_INVITATION_BATCH } from "@bote/protocol";
import { parseStaffCsv, StaffCsvError, type StaffCsvFault } from "@bote/client/staffCsv";

const utf8 = (text: string) => new TextEncoder().encode(text);

function faultsOf(input: Uint8Array | string): StaffCsvFault[] {
  try {
    parseStaffCsv(input);
  } catch (error) {
    assert.ok(error instanceof StaffCsvError);
    assert.equal(error.code, "csv_invalid");
    return [...error.faults];
  }
  assert.fail("the file was accepted");
}

it("reads German Excel: BOM, semicolons, German column names and roles, quoted separators", () => {
  const rows = parseStaffCsv(
    utf8('\uFEFFName;Rolle;Abteilung\r\nJörg Müller;Mitglied;Büro\r\n"Schmidt; Anna";Administrator;"Montage"\r\n\r\n'),
  );
  assert.deepEqual(rows, [
    { row: 2, displayName: "Jörg Müller", role: "member", department: "Büro", title: "" },
    { row: 3, displayName: "Schmidt; Anna", role: "admin", department: "Montage", title: "" },
  ]);
});

it("reads English with commas, a title column and no BOM; an empty department is allowed", () => {
  const rows = parseStaffCsv("name,role,department,title\nAda,member,,Foreman\nBen,ADMIN,Office,\n");
  assert.deepEqual(
    rows.map((r) => [r.displayName, r.role, r.department, r.title]),
    [
      ["Ada", "member", "", "Foreman"],
      ["Ben", "admin", "Office", ""],
    ],
  );
});

it("names every bad row and field at once", () => {
  const faults = faultsOf(
    "Name;Rolle;Abteilung\nAda;Mitglied;Büro\n;Mitglied;Lager\nBen;Chef;Lager\nCem;Mitglied;A\u0007B\n",
  );
  assert.deepEqual(faults, [
    { row: 3, field: "name", reason: "missing" },
    { row: 4, field: "role", reason: "unknown_role" },
    { row: 5, field: "department", reason: "invalid" },
  ]);
});

it("says what is wrong in German and in English", () => {
  try {
    parseStaffCsv("Name;Rolle;Abteilung\nAda;Chef;Büro\n");
    assert.fail("accepted");
  } catch (error) {
    assert.ok(error instanceof StaffCsvError);
    assert.match(error.text("de"), /niemand wurde eingeladen[\s\S]*Zeile 2, Rolle: ist keine Rolle/);
    assert.match(error.text("en"), /nobody was invited[\s\S]*Row 2, role: is not a role/);
  }
});

it("refuses a missing column, extra cells, a broken quote, Latin-1 and an empty file", () => {
  assert.deepEqual(faultsOf("Name;Abteilung\nAda;Büro\n"), [{ row: 1, field: "header", reason: "missing_column" }]);
  assert.deepEqual(faultsOf("Name;Rolle;Abteilung\nAda;Mitglied;Büro;zu viel\n"), [
    { row: 2, field: "row", reason: "columns" },
  ]);
  assert.ok(faultsOf('Name;Rolle;Abteilung\n"Ada;Mitglied;Büro\n').some((f) => f.reason === "quotes"));
  // "Müller" in Windows-1252, as old Excel saves "CSV (Trennzeichen-getrennt)".
  const latin1 = new Uint8Array([...utf8("Name;Rolle;Abteilung\nM"), 0xfc, ...utf8("ller;Mitglied;B\n")]);
  assert.deepEqual(faultsOf(latin1), [{ row: 0, field: "file", reason: "encoding" }]);
  assert.deepEqual(faultsOf("Name;Rolle;Abteilung\n"), [{ row: 0, field: "file", reason: "empty" }]);
});

it("limits a batch", () => {
  const lines = Array.from({ length: MAX_INVITATION_BATCH + 1 }, (_, i) => `P${i};Mitglied;X`);
  assert.deepEqual(faultsOf(["Name;Rolle;Abteilung", ...lines].join("\n")), [
    { row: 0, field: "file", reason: "too_many_rows" },
  ]);
  assert.equal(parseStaffCsv(["Name;Rolle;Abteilung", ...lines.slice(1)].join("\n")).length, MAX_INVITATION_BATCH);
});
