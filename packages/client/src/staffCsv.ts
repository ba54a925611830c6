/**
 * A CSV file of staff to invite: one gate from bytes to checked rows.
 * Every row is judged before anything is made, so one error names every bad
 * row and field, and a file with a bad row imports nothing. German Excel
 * writes `;` and a BOM; both separators and either encoding mark are read.
 */
import Papa from "papaparse";
import {
  isCanonicalDisplayName,
  isDirectoryText,
  MAX_INVITATION_BATCH,
  type Language,
  type Role,
} from "@bote/protocol";
import { ClientError } from "./clientError.js";

export interface StaffRow {
  /** The row as a spreadsheet numbers it: the header is row 1. */
  readonly row: number;
  readonly displayName: string;
  readonly role: Role;
  /** "" when the file leaves it empty. */
  readonly department: string;
  readonly title: string;
}

export type StaffField = "name" | "role" | "department" | "title";

/** What is wrong with one place of the file. row 0 is the file as a whole. */
export type StaffCsvFault =
  | { readonly row: number; readonly field: StaffField; readonly reason: "missing" | "invalid" | "unknown_role" }
  | { readonly row: number; readonly field: "header"; readonly reason: "missing_column" | "duplicate_column" }
  | { readonly row: number; readonly field: "row"; readonly reason: "columns" | "quotes" }
  | { readonly row: 0; readonly field: "file"; readonly reason: "encoding" | "empty" | "too_many_rows" };

// Column names as German and English spreadsheets write them, lower-cased.
const COLUMNS: Record<string, StaffField> = {
  name: "name",
  role: "role",
  rolle: "role",
  department: "department",
  abteilung: "department",
  title: "title",
  titel: "title",
  position: "title",
  funktion: "title",
};

const ROLES: Record<string, Role> = {
  admin: "admin",
  administrator: "admin",
  administratorin: "admin",
  member: "member",
  mitglied: "member",
};

/** The file could not be imported; `faults` names every bad place, and nothing was made. */
export class StaffCsvError extends ClientError {
  constructor(readonly faults: readonly StaffCsvFault[]) {
    super("csv_invalid", faults.map((f) => `${f.row}:${f.field}:${f.reason}`).join(","));
  }

  /** The registry's sentence, then one line per fault. */
  override text(language: Language): string {
    return [super.text(language), ...this.faults.map((f) => staffCsvFaultText(f, language))].join("\n");
  }
}

const FIELD_NAMES: Record<StaffCsvFault["field"], { de: string; en: string }> = {
  name: { de: "Name", en: "name" },
  role: { de: "Rolle", en: "role" },
  department: { de: "Abteilung", en: "department" },
  title: { de: "Titel", en: "title" },
  header: { de: "Kopfzeile", en: "header" },
  row: { de: "Zeile", en: "row" },
  file: { de: "Datei", en: "file" },
};

const REASONS: Record<StaffCsvFault["reason"], { de: string; en: string }> = {
  missing: { de: "fehlt", en: "is missing" },
  invalid: {
    de: "ist ungültig (1–64 Zeichen, keine Steuerzeichen)",
    en: "is invalid (1–64 characters, no control characters)",
  },
  unknown_role: {
    de: "ist keine Rolle (erlaubt: Mitglied, Administrator, member, admin)",
    en: "is not a role (allowed: member, admin, Mitglied, Administrator)",
  },
  missing_column: {
    de: "braucht die Spalten Name, Rolle und Abteilung",
    en: "needs the columns name, role and department",
  },
  duplicate_column: { de: "nennt eine Spalte zweimal", en: "names a column twice" },
  columns: { de: "hat mehr Spalten als die Kopfzeile", en: "has more columns than the header" },
  quotes: { de: "hat ein nicht geschlossenes Anführungszeichen", en: "has an unclosed quotation mark" },
  encoding: {
    de: "ist nicht UTF-8 (in Excel: „CSV UTF-8“ wählen)",
    en: "is not UTF-8 (in Excel choose “CSV UTF-8”)",
  },
  empty: { de: "enthält keine Person", en: "holds nobody" },
  too_many_rows: {
    de: `enthält mehr als ${MAX_INVITATION_BATCH} Personen; bitte aufteilen`,
    en: `holds more than ${MAX_INVITATION_BATCH} people; please split it`,
  },
};

/** One fault as a person reads it, e.g. "Zeile 4, Rolle: ist keine Rolle (…)". */
export function staffCsvFaultText(fault: StaffCsvFault, language: Language): string {
  const field = FIELD_NAMES[fault.field][language];
  const reason = REASONS[fault.reason][language];
  if (fault.field === "file") return `${field}: ${reason}`;
  if (fault.field === "row" || fault.field === "header") {
    return language === "de" ? `Zeile ${fault.row} ${reason}` : `Row ${fault.row} ${reason}`;
  }
  return language === "de" ? `Zeile ${fault.row}, ${field}: ${reason}` : `Row ${fault.row}, ${field}: ${reason}`;
}

/** Name, role and department of each person in the file, or StaffCsvError naming every fault. */
export function parseStaffCsv(input: Uint8Array | string): StaffRow[] {
  let text: string;
  if (typeof input === "string") {
    text = input;
  } else {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(input);
    } catch {
      throw new StaffCsvError([{ row: 0, field: "file", reason: "encoding" }]);
    }
  }
  if (text.startsWith("\uFEFF")) text = text.slice(1);
  const parsed = Papa.parse<string[]>(text, { delimitersToGuess: [";", ",", "\t"], skipEmptyLines: false });
  const records = parsed.data;
  const faults: StaffCsvFault[] = [];
  for (const error of parsed.errors) {
    if (error.type === "Quotes") faults.push({ row: (error.row ?? 0) + 1, field: "row", reason: "quotes" });
  }
  const filled = records.slice(1).filter((cells) => cells.some((cell) => cell.trim() !== "")).length;
  if (filled > MAX_INVITATION_BATCH) throw new StaffCsvError([{ row: 0, field: "file", reason: "too_many_rows" }]);
  const header = (records[0] ?? []).map((cell) => COLUMNS[cell.trim().toLowerCase()]);
  const columnOf = new Map<StaffField, number>();
  header.forEach((field, i) => {
    if (field === undefined) return;
    if (columnOf.has(field)) faults.push({ row: 1, field: "header", reason: "duplicate_column" });
    columnOf.set(field, i);
  });
  if (!columnOf.has("name") || !columnOf.has("role") || !columnOf.has("department")) {
    throw new StaffCsvError([{ row: 1, field: "header", reason: "missing_column" }, ...faults]);
  }
  const rows: StaffRow[] = [];
  records.slice(1).forEach((cells, i) => {
    const row = i + 2;
    if (cells.every((cell) => cell.trim() === "")) return;
    if (cells.length > header.length && cells.slice(header.length).some((c) => c.trim() !== "")) {
      faults.push({ row, field: "row", reason: "columns" });
      return;
    }
    const cell = (field: StaffField): string => {
      const index = columnOf.get(field);
      return index === undefined ? "" : (cells[index] ?? "").normalize("NFC").trim();
    };
    const displayName = cell("name");
    if (displayName === "") faults.push({ row, field: "name", reason: "missing" });
    else if (!isCanonicalDisplayName(displayName)) faults.push({ row, field: "name", reason: "invalid" });
    const roleText = cell("role");
    const role = ROLES[roleText.toLowerCase()];
    if (roleText === "") faults.push({ row, field: "role", reason: "missing" });
    else if (role === undefined) faults.push({ row, field: "role", reason: "unknown_role" });
    const department = cell("department");
    if (!isDirectoryText(department)) faults.push({ row, field: "department", reason: "invalid" });
    const title = cell("title");
    if (!isDirectoryText(title)) faults.push({ row, field: "title", reason: "invalid" });
    if (role !== undefined) rows.push({ row, displayName, role, department, title });
  });
  if (faults.length > 0) throw new StaffCsvError(faults);
  if (rows.length === 0) throw new StaffCsvError([{ row: 0, field: "file", reason: "empty" }]);
  return rows;
}
