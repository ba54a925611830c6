/**
 * The recovery kit's passphrase from `--passphrase-file` (its last line
 * break cut) or `$BOTE_RECOVERY_PASSPHRASE`; never an argument: a
 * passphrase on the command line is in `ps` and in the shell's history.
 * Undefined when neither gives one; an unreadable file is a usage error.
 */
import { readFile } from "node:fs/promises";
import type { ClientMessages } from "./clientMessages.js";
import { UsageError } from "../messages.js";

export async function readRecoveryPassphrase(file: string | undefined, t: ClientMessages): Promise<string | undefined> {
  if (file === undefined) return process.env.BOTE_RECOVERY_PASSPHRASE;
  try {
    return (await readFile(file, "utf8")).replace(/\r?\n$/, "");
  } catch {
    throw new UsageError(t.usage.invalid("--passphrase-file", file));
  }
}
