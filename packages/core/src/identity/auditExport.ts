// The audit log as files an admin keeps or hands to an auditor: CSV (RFC 4180,
// one row per entry) and JSON. One implementation for the web app's download
// and `bote admin audit`, so both say exactly the same.
import type { AuditEntry } from "./auditLog.js";

export const AUDIT_CSV_COLUMNS = [
  "seq",
  "at",
  "action",
  "actorId",
  "actorName",
  "subjectId",
  "subjectName",
  "role",
  "detail",
  "verified",
  "statementHash",
  "signature",
] as const;

/** Quotes a field when it holds a separator, a quote or a line break; a leading =, +, - or @ is defused for spreadsheets. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function auditCsv(entries: readonly AuditEntry[]): string {
  const rows = entries.map((e) =>
    AUDIT_CSV_COLUMNS.map((column) => {
      const value = e[column];
      return csvField(value === undefined ? "" : String(value));
    }).join(","),
  );
  return [AUDIT_CSV_COLUMNS.join(","), ...rows].join("\r\n") + "\r\n";
}

export function auditJson(entries: readonly AuditEntry[]): string {
  return JSON.stringify({ version: 1, entries }, null, 2) + "\n";
}
