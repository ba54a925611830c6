/**
 * Commands on the server's own data, run on the server machine beside
 * `bote serve`: `bote backup` (SQLite's online backup while the server runs)
 * and `bote migrate-store` (SQLite to PostgreSQL). Failures print one
 * sentence in both languages and exit 1; bad arguments exit 2.
 */
import { statSync } from "node:fs";
import { open, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";
import type { Command } from "commander";
import { cliLanguage, UsageError } from "./messages.js";

/** The commands whose failures are the operator's to read as they are (not a client's sentence). */
export const storeCommandNames: ReadonlySet<string> = new Set(["backup", "migrate-store"]);

const de = {
  noDatabase: (file: string) =>
    `Keine Bote-Datenbank unter ${file}: --data bzw. --from muss das Datenverzeichnis oder die Datei bote.sqlite nennen.`,
  backupExists: (file: string) =>
    `${file} gibt es schon; eine Sicherung überschreibt nichts. Bitte einen neuen Dateinamen angeben.`,
  backupDirMissing: (dir: string) => `Das Verzeichnis ${dir} für die Sicherung gibt es nicht.`,
  backupDone: (file: string, pages: number, blobs: string) =>
    `Sicherung geschrieben: ${file} (${pages} Seiten, geprüft). Die Dateien in ${blobs} jetzt danach sichern; server-secrets.json und vapid-keys.json getrennt davon aufbewahren.`,
  missingFlag: (flag: string) => `Es fehlt ${flag}.`,
  invalidTarget: (v: string) => `Ungültiges Ziel „${v}“ für --to: erwartet wird postgres://…`,
  blobsConflict: "--blobs und --keep-blob-files schließen sich aus.",
  migrated: (tables: number, rows: number, blobs: number) =>
    `Übertragen: ${tables} Tabellen, ${rows} Zeilen, ${blobs} Dateien; die Zeilenzahlen stimmen mit der Quelle überein.`,
  next: (command: string) =>
    `Jetzt Bote so starten (mit denselben server-secrets.json und vapid-keys.json):\n  ${command}`,
};

const en: typeof de = {
  noDatabase: (file: string) =>
    `No Bote database at ${file}: --data or --from must name the data directory or its bote.sqlite file.`,
  backupExists: (file: string) => `${file} exists already; a backup overwrites nothing. Please give a new file name.`,
  backupDirMissing: (dir: string) => `The directory ${dir} for the backup does not exist.`,
  backupDone: (file: string, pages: number, blobs: string) =>
    `Backup written: ${file} (${pages} pages, checked). Back up the files in ${blobs} now, after it; keep server-secrets.json and vapid-keys.json apart from it.`,
  missingFlag: (flag: string) => `${flag} is missing.`,
  invalidTarget: (v: string) => `Invalid target "${v}" for --to: expected postgres://…`,
  blobsConflict: "--blobs and --keep-blob-files exclude each other.",
  migrated: (tables: number, rows: number, blobs: number) =>
    `Migrated: ${tables} tables, ${rows} rows, ${blobs} files; the row counts match the source.`,
  next: (command: string) =>
    `Now start Bote like this (with the same server-secrets.json and vapid-keys.json):\n  ${command}`,
};

function text(): typeof de {
  return cliLanguage() === "en" ? en : de;
}

/** A data directory or a database file; the file must exist. */
function sqliteFile(path: string): string {
  const given = resolve(path);
  const file = isDirectory(given) ? join(given, "bote.sqlite") : given;
  try {
    if (statSync(file).isFile()) return file;
  } catch {
    // Reported below, with the path the operator can check.
  }
  throw new UsageError(text().noDatabase(file));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function registerStoreCommands(program: Command): void {
  program
    .command("backup")
    .description(
      "Sichert die SQLite-Datenbank, auch während der Server läuft / backs up the SQLite database, also while the server runs",
    )
    .argument("<file>", "Zieldatei, darf nicht existieren / target file, must not exist")
    .option("--data <dir>", "Datenverzeichnis / data directory", "./data")
    .action(async (target: string, options: { data: string }) => {
      await backup(sqliteFile(options.data), resolve(target));
    });
  program
    .command("migrate-store")
    .description("Überträgt die SQLite-Daten nach PostgreSQL / moves the SQLite data to PostgreSQL")
    .option("--from <path>", "Datenverzeichnis oder bote.sqlite / data directory or bote.sqlite")
    .option("--to <url>", "leere PostgreSQL-Datenbank / empty PostgreSQL database (postgres://…)")
    .option("--blobs <dir>", "Verzeichnis der Dateien / directory of the files (default: blobs beside the database)")
    .option(
      "--keep-blob-files",
      "Dateien nicht nach PostgreSQL kopieren, später mit --blobs starten / leave the files, serve with --blobs",
    )
    .action(async (options: { from?: string; to?: string; blobs?: string; keepBlobFiles?: boolean }) => {
      const t = text();
      if (options.from === undefined) throw new UsageError(t.missingFlag("--from"));
      if (options.to === undefined) throw new UsageError(t.missingFlag("--to"));
      if (!/^postgres(ql)?:\/\//.test(options.to)) throw new UsageError(t.invalidTarget(options.to));
      if (options.blobs !== undefined && options.keepBlobFiles === true) throw new UsageError(t.blobsConflict);
      const file = sqliteFile(options.from);
      const blobDir = resolve(options.blobs ?? join(dirname(file), "blobs"));
      // Loaded only here, like serve: pg costs the client commands time at start.
      const { copySqliteToPostgres } = await import("@bote/server/migrate-store");
      const report = await copySqliteToPostgres({
        sqliteFile: file,
        postgresUrl: options.to,
        blobDir: options.keepBlobFiles === true ? undefined : blobDir,
      });
      for (const { name, rows } of report.tables) console.log(`${name}\t${rows}`);
      const rows = report.tables.reduce((sum, table) => sum + table.rows, 0);
      console.error(t.migrated(report.tables.length, rows, report.blobs));
      const keep = options.keepBlobFiles === true ? ` --blobs ${blobDir}` : "";
      console.error(t.next(`bote serve --data ${dirname(file)} --database ${redact(options.to)}${keep}`));
    });
}

/** SQLite's online backup of the whole database in one step, so writes meanwhile cannot make it start over. */
async function backup(source: string, target: string): Promise<void> {
  const t = text();
  if (!isDirectory(dirname(target))) throw new UsageError(t.backupDirMissing(dirname(target)));
  // Created owner-only and exclusively first: the backup is as secret as the database, and nothing is overwritten.
  try {
    await (await open(target, "wx", 0o600)).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new UsageError(t.backupExists(target));
    throw error;
  }
  try {
    const db = new Database(source, { readonly: true, fileMustExist: true });
    let pages: number;
    try {
      pages = (await db.backup(target, { progress: () => 0x7fffffff })).totalPages;
    } finally {
      db.close();
    }
    // One self-contained file (no -wal beside it), checked before it is called a backup.
    const copy = new Database(target);
    try {
      copy.pragma("journal_mode = DELETE");
      const check = copy.pragma("quick_check", { simple: true });
      if (check !== "ok") throw new Error(`quick_check: ${String(check)}`);
    } finally {
      copy.close();
    }
    console.error(t.backupDone(target, pages, join(dirname(source), "blobs")));
  } catch (error) {
    await rm(target, { force: true });
    throw error;
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}
