/**
 * Owner-only file modes for everything the server keeps on disk: 0700 for
 * directories, 0600 for files. Set at every start, not only at creation, so
 * a data directory made by an older version or copied from a backup is
 * closed too; a mode that cannot be set stops the start.
 */
import { chmod, lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

export class FileModeError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(
      `Die Zugriffsrechte von ${path} lassen sich nicht auf „nur Eigentümer“ setzen (${detail}); bitte selbst setzen (chmod 700 für Verzeichnisse, 600 für Dateien) oder den Eigentümer ändern.\n` +
        `The mode of ${path} cannot be set to owner-only (${detail}); set it yourself (chmod 700 for directories, 600 for files) or change the owner.`,
    );
    this.name = "FileModeError";
  }
}

/** Restricts `path` and, for a directory, everything below it; a missing path is left alone. */
export async function restrictFileModes(path: string): Promise<void> {
  let stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new FileModeError(path, (error as Error).message);
  }
  // A symbolic link's own mode means nothing; what it points at is the operator's choice.
  if (stats.isSymbolicLink()) return;
  const mode = stats.isDirectory() ? DIR_MODE : FILE_MODE;
  if ((stats.mode & 0o777) !== mode) {
    try {
      await chmod(path, mode);
    } catch (error) {
      // A read-only mount may already be closed enough: only group or other access is a fault.
      if ((stats.mode & 0o077) !== 0) throw new FileModeError(path, (error as Error).message);
    }
  }
  if (!stats.isDirectory()) return;
  let entries: string[];
  try {
    entries = await readdir(path);
  } catch (error) {
    throw new FileModeError(path, (error as Error).message);
  }
  for (const entry of entries) await restrictFileModes(join(path, entry));
}
