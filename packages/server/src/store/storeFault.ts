/**
 * Tells a fault of the storage underneath (database unreachable, disk full,
 * read-only or damaged) from a bug. The first is worth retrying later and
 * answers `store_unavailable`; everything else stays `internal` (issue 14:
 * clients reconnected in a tight loop on a generic 1011).
 */

/** SQLite result codes by prefix: the extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED…) share them. */
const SQLITE_PREFIXES = ["SQLITE_FULL", "SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_CORRUPT", "SQLITE_NOTADB"];

/** File-system and socket errors of the blob directory or the connection to PostgreSQL. */
const SYSTEM_CODES = new Set([
  "ENOSPC",
  "EROFS",
  "EDQUOT",
  "EIO",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  // The SQLite store's relay writer thread died (RelayWriter).
  "STORE_WRITER_STOPPED",
]);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 53 (disk full, out
 * of memory, too many connections), 57P01–57P03 (shutting down, crashed,
 * starting) and 25006 (a read-only standby).
 */
function isPostgresFault(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || /^53[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code) || code === "25006";
}

/** node-postgres says a lost connection only in words, without a code. */
const PG_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /Client has encountered a connection error/,
];

export function isStoreFault(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 3) return false;
  const { code, syscall, message, errors, cause } = error as {
    code?: unknown;
    syscall?: unknown;
    message?: unknown;
    errors?: unknown;
    cause?: unknown;
  };
  if (typeof code === "string") {
    if (SQLITE_PREFIXES.some((prefix) => code.startsWith(prefix))) return true;
    if (SYSTEM_CODES.has(code) || isPostgresFault(code)) return true;
    // A database connection reset under a query fails a read or write call; a client that aborted its upload
    // ("aborted", ECONNRESET without a syscall) is not a store fault.
    if ((code === "ECONNRESET" || code === "EPIPE") && typeof syscall === "string") return true;
  }
  if (typeof message === "string" && PG_MESSAGES.some((pattern) => pattern.test(message))) return true;
  // Connecting to "localhost" tries ::1 and 127.0.0.1 and fails with both in one AggregateError.
  if (Array.isArray(errors) && errors.some((e) => isStoreFault(e, depth + 1))) return true;
  return cause !== undefined && isStoreFault(cause, depth + 1);
}
