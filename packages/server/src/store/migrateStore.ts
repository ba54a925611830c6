/**
 * Moving an installation from SQLite to PostgreSQL (`bote migrate-store`):
 * every table of the embedded store, row by row, into an empty PostgreSQL
 * database of the same schema version, in one transaction, checked by row
 * counts before it commits. Blob files can go along into `blob_chunks`, the
 * layout PostgresBlobStore reads.
 *
 * Rows are copied as they are: entries stay sealed under keys that only the
 * secrets file derives, and server_meta carries the key-check values, so the
 * new store starts only with the same secrets file and VAPID keys.
 */
import { open, readdir } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { BoteError, errorText, type ErrorCode } from "@bote/protocol";
import { migrations as sqliteMigrations } from "./sqlite/migrations.js";
import { applyMigrations, migrations as postgresMigrations } from "./postgres/migrations.js";

export type StoreMigrationCode = Extract<
  ErrorCode,
  "store_schema_mismatch" | "store_target_not_empty" | "store_copy_mismatch"
>;

/** A refusal of migrate-store: the registry's text in both languages, and what exactly was found. */
export class StoreMigrationError extends BoteError {
  constructor(
    code: StoreMigrationCode,
    readonly detail: string,
  ) {
    super(code);
    this.name = "StoreMigrationError";
    this.message = `${errorText(code, "de")}\n${errorText(code, "en")}\n(${detail}) [${code}]`;
  }
}

export interface StoreCopyOptions {
  sqliteFile: string;
  postgresUrl: string;
  /** The blob files to copy into blob_chunks; undefined leaves them where they are (serve with --blobs). */
  blobDir: string | undefined;
}

export interface StoreCopyReport {
  schemaVersion: number;
  tables: { name: string; rows: number }[];
  blobs: number;
  blobBytes: number;
}

/** Left empty on the target: the old queue (dropped at the first start) and the chunks, filled from files. */
const TARGET_ONLY = new Set(["queue", "envelopes", "group_epochs", "blob_chunks"]);
/** Bookkeeping of each store (sqlite_sequence, sqlite_stat1 of ANALYZE, …), not data. */
const skipped = (table: string) => table === "schema_migrations" || table.startsWith("sqlite_");
/** Rows per INSERT stay well below PostgreSQL's 65535 parameters and a few MiB. */
const BATCH_PARAMETERS = 20_000;
const BATCH_BYTES = 4 * 1024 * 1024;
/** As PostgresBlobStore writes them. */
const CHUNK_BYTES = 256 * 1024;

interface TargetColumn {
  name: string;
  type: string;
  identity: boolean;
}

const latestVersion = Math.max(...sqliteMigrations.map((m) => m.version));

export async function copySqliteToPostgres(options: StoreCopyOptions): Promise<StoreCopyReport> {
  if (latestVersion !== Math.max(...postgresMigrations.map((m) => m.version)))
    throw new Error("the SQLite and PostgreSQL migrations disagree on the latest version");
  const source = new Database(options.sqliteFile, { readonly: true, fileMustExist: true });
  const pool = new pg.Pool({ connectionString: options.postgresUrl, max: 1 });
  pool.on("error", () => undefined);
  try {
    checkSourceVersion(source);
    await refuseNonEmptyTarget(pool);
    await applyMigrations(pool);
    // One read transaction: the counts and the rows are one snapshot, even if something writes meanwhile.
    source.exec("BEGIN");
    try {
      return await copyInOneTransaction(source, pool, options.blobDir);
    } finally {
      source.exec("COMMIT");
    }
  } finally {
    source.close();
    await pool.end();
  }
}

function checkSourceVersion(source: Database.Database): void {
  const hasTable = (name: string) =>
    source.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  if (!hasTable("schema_migrations"))
    throw new StoreMigrationError("store_schema_mismatch", "no Bote database: schema_migrations is missing");
  const versions = source
    .prepare<[], { version: number }>("SELECT version FROM schema_migrations ORDER BY version")
    .all()
    .map((row) => row.version);
  const found = versions.at(-1) ?? 0;
  if (found !== latestVersion || versions.length !== latestVersion)
    throw new StoreMigrationError(
      "store_schema_mismatch",
      `SQLite schema version ${found}, this Bote's is ${latestVersion}`,
    );
  // Dropped by the first start of a version-5 server, which seals what it held; only that start can.
  if (hasTable("queue"))
    throw new StoreMigrationError(
      "store_schema_mismatch",
      "the old queue of schema version 4 is still there: start bote serve on it once",
    );
}

async function refuseNonEmptyTarget(pool: pg.Pool): Promise<void> {
  const migrated = await pool.query<{ version: number | null }>(
    `SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN NULL ELSE 0 END AS version`,
  );
  if (migrated.rows[0]?.version === 0) {
    const newest = await pool.query<{ version: number | null }>(
      "SELECT max(version) AS version FROM schema_migrations",
    );
    const version = newest.rows[0]?.version ?? 0;
    if (version > latestVersion)
      throw new StoreMigrationError(
        "store_schema_mismatch",
        `PostgreSQL schema version ${version}, this Bote's is ${latestVersion}`,
      );
  }
  const tables = await pool.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
  );
  for (const { name } of tables.rows) {
    if (name === "schema_migrations") continue;
    const rows = await pool.query(`SELECT 1 FROM ${quote(name)} LIMIT 1`);
    if ((rows.rowCount ?? 0) > 0)
      throw new StoreMigrationError("store_target_not_empty", `table ${name} of the target has rows`);
  }
}

async function copyInOneTransaction(
  source: Database.Database,
  pool: pg.Pool,
  blobDir: string | undefined,
): Promise<StoreCopyReport> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query("BEGIN");
    const targetColumns = await readTargetColumns(client);
    const sourceTables = source
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => row.name)
      .filter((name) => !skipped(name));
    for (const name of sourceTables)
      if (!targetColumns.has(name))
        throw new StoreMigrationError("store_schema_mismatch", `table ${name} is missing in PostgreSQL`);
    for (const name of targetColumns.keys())
      if (!sourceTables.includes(name) && !TARGET_ONLY.has(name))
        throw new StoreMigrationError("store_schema_mismatch", `table ${name} is missing in SQLite`);

    const report: StoreCopyReport = { schemaVersion: latestVersion, tables: [], blobs: 0, blobBytes: 0 };
    for (const name of await parentsFirst(client, sourceTables)) {
      const rows = await copyTable(source, client, name, targetColumns.get(name)!);
      report.tables.push({ name, rows });
    }
    if (blobDir !== undefined) Object.assign(report, await copyBlobFiles(source, client, blobDir));

    for (const { name, rows } of report.tables) {
      const counted = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quote(name)}`);
      const n = Number(counted.rows[0]?.n);
      if (n !== rows)
        throw new StoreMigrationError("store_copy_mismatch", `table ${name}: ${rows} rows in SQLite, ${n} copied`);
    }
    await client.query("COMMIT");
    return report;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => (broken = true));
    throw error;
  } finally {
    client.release(broken);
  }
}

async function readTargetColumns(client: pg.PoolClient): Promise<Map<string, TargetColumn[]>> {
  const result = await client.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_identity: string;
  }>(
    `SELECT c.table_name, c.column_name, c.data_type, c.is_identity
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> 'schema_migrations'
      ORDER BY c.table_name, c.ordinal_position`,
  );
  const tables = new Map<string, TargetColumn[]>();
  for (const row of result.rows) {
    const columns = tables.get(row.table_name) ?? [];
    columns.push({ name: row.column_name, type: row.data_type, identity: row.is_identity === "YES" });
    tables.set(row.table_name, columns);
  }
  return tables;
}

/** The foreign keys of the target decide the order, so every referenced row is there before its referrer. */
async function parentsFirst(client: pg.PoolClient, tables: string[]): Promise<string[]> {
  const edges = await client.query<{ child: string; parent: string }>(
    `SELECT child.relname AS child, parent.relname AS parent
       FROM pg_constraint c
       JOIN pg_class child ON child.oid = c.conrelid
       JOIN pg_class parent ON parent.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE c.contype = 'f' AND n.nspname = current_schema()`,
  );
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set<string>()]));
  for (const { child, parent } of edges.rows)
    if (child !== parent && parents.has(child) && parents.has(parent)) parents.get(child)!.add(parent);
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const next = tables.filter((t) => !placed.has(t) && [...parents.get(t)!].every((p) => placed.has(p)));
    if (next.length === 0) throw new Error("the foreign keys of the target form a cycle");
    for (const t of next) {
      ordered.push(t);
      placed.add(t);
    }
  }
  return ordered;
}

async function copyTable(
  source: Database.Database,
  client: pg.PoolClient,
  table: string,
  columns: TargetColumn[],
): Promise<number> {
  const sourceColumns = source
    .prepare<[string], { name: string }>("SELECT name FROM pragma_table_info(?)")
    .all(table)
    .map((row) => row.name)
    .sort();
  const targetNames = columns.map((c) => c.name);
  if (sourceColumns.join(",") !== [...targetNames].sort().join(","))
    throw new StoreMigrationError(
      "store_schema_mismatch",
      `table ${table}: columns ${sourceColumns.join(", ")} in SQLite, ${[...targetNames].sort().join(", ")} in PostgreSQL`,
    );
  const identity = columns.some((c) => c.identity);
  const head = `INSERT INTO ${quote(table)} (${targetNames.map(quote).join(", ")})${identity ? " OVERRIDING SYSTEM VALUE" : ""} VALUES `;
  const rowsPerBatch = Math.max(1, Math.floor(BATCH_PARAMETERS / columns.length));
  // Integers as BigInt: random entry ids and seq values exceed 2^53 in SQLite's view of them otherwise.
  const read = source.prepare(`SELECT ${targetNames.map(quote).join(", ")} FROM ${quote(table)}`).safeIntegers(true);
  let batch: unknown[][] = [];
  let bytes = 0;
  let copied = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const params: unknown[] = [];
    const tuples = batch.map((row) => `(${row.map((value) => `$${params.push(value)}`).join(", ")})`);
    await client.query(head + tuples.join(", "), params);
    copied += batch.length;
    batch = [];
    bytes = 0;
  };
  // The iterator keeps the SQLite statement open across the awaits; nothing else reads the connection meanwhile.
  for (const raw of read.raw(true).iterate() as IterableIterator<unknown[]>) {
    const row = raw.map((value, i) => toPostgres(value, columns[i]!.type));
    for (const value of row) bytes += Buffer.isBuffer(value) ? value.byteLength : 16;
    batch.push(row);
    if (batch.length >= rowsPerBatch || bytes >= BATCH_BYTES) await flush();
  }
  await flush();
  // Identity columns hand out ids after the copied ones, as AUTOINCREMENT would have.
  for (const column of columns.filter((c) => c.identity))
    await client.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), GREATEST((SELECT max(${quote(column.name)}) FROM ${quote(table)}), 1), (SELECT count(*) > 0 FROM ${quote(table)}))`,
      [table, column.name],
    );
  const counted = source.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${quote(table)}`).get();
  if (counted?.n !== copied)
    throw new StoreMigrationError(
      "store_copy_mismatch",
      `table ${table}: ${counted?.n} rows in SQLite, ${copied} read`,
    );
  return copied;
}

function toPostgres(value: unknown, type: string): unknown {
  if (value === null) return null;
  if (type === "boolean") return value !== 0n && value !== 0;
  if (typeof value === "bigint") return value.toString();
  return value;
}

/** Files of blobs the database knows (tmp-* uploads and orphans stay behind), in PostgresBlobStore's chunks. */
async function copyBlobFiles(
  source: Database.Database,
  client: pg.PoolClient,
  blobDir: string,
): Promise<{ blobs: number; blobBytes: number }> {
  const known = new Set(
    source
      .prepare<[], { id: Buffer }>("SELECT id FROM blobs")
      .all()
      .map((row) => row.id.toString("hex")),
  );
  let names: string[];
  try {
    names = await readdir(blobDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") names = [];
    else throw error;
  }
  let blobs = 0;
  let blobBytes = 0;
  for (const name of names.filter((n) => known.has(n)).sort()) {
    const id = Buffer.from(name, "hex");
    const file = await open(join(blobDir, name), "r");
    try {
      let seq = 0;
      for (;;) {
        const chunk = Buffer.alloc(CHUNK_BYTES);
        const { bytesRead } = await file.read(chunk, 0, CHUNK_BYTES, null);
        // An empty blob still gets its one empty row, which marks it as existing.
        if (bytesRead === 0 && seq > 0) break;
        await client.query("INSERT INTO blob_chunks (blob_id, seq, data) VALUES ($1, $2, $3)", [
          id,
          seq++,
          chunk.subarray(0, bytesRead),
        ]);
        blobBytes += bytesRead;
        if (bytesRead < CHUNK_BYTES) break;
      }
    } finally {
      await file.close();
    }
    blobs++;
  }
  return { blobs, blobBytes };
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
