/**
 * Creates, writes, syncs and deletes a probe file in the directory: a
 * read-only mount, a full disk or missing permissions show at start with a
 * clear message, not at the first message someone sends.
 */
import { mkdir, open, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { StartCheckError } from "../store/StartCheckError.js";

/** One page, so a file system with a few bytes but no free block fails. */
const PROBE_BYTES = 4096;

export async function checkWritableDirectory(dir: string): Promise<void> {
  const probe = join(dir, `.write-probe-${randomBytes(6).toString("hex")}`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = await open(probe, "wx", 0o600);
    try {
      await file.write(Buffer.alloc(PROBE_BYTES));
      await file.sync();
    } finally {
      await file.close();
    }
    await rm(probe);
  } catch (error) {
    await rm(probe, { force: true }).catch(() => undefined);
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new StartCheckError("data_directory_unwritable", dir, reason);
  }
}
