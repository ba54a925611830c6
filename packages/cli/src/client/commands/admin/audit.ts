/** `bote admin audit`: the admin actions of the organisation's signed log, newest first; CSV on request. */
import { writeFile } from "node:fs/promises";
import { auditCsv } from "@bote/core";
import type { Command } from "commander";
import { optionalText, parseOptions } from "../../args.js";
import { clientMessages } from "../../clientMessages.js";
import { helpTexts } from "../../helpTexts.js";
import { withClient } from "../../session.js";
import { clientCommand } from "../clientCommand.js";

/** An id as short as a person compares it, for names the log never gave. */
const shortId = (id: string) => id.slice(0, 8);

export function registerAudit(admin: Command): void {
  clientCommand(admin, "audit", helpTexts.adminAudit)
    .option("--csv <file>", helpTexts.adminAuditCsv)
    .action(async (raw: unknown) => {
      const options = parseOptions(raw, { csv: optionalText });
      await withClient(options, async (client, printer) => {
        const t = clientMessages(printer.language);
        const entries = await client.auditLog();
        if (options.csv !== undefined) {
          // Oldest first in the file, as a ledger reads; never over an existing file.
          await writeFile(options.csv, auditCsv([...entries].reverse()), { mode: 0o600, flag: "wx" });
          if (!printer.json) printer.out(t.auditCsvWritten(options.csv, entries.length), {});
          return;
        }
        if (entries.length === 0 && !printer.json) printer.out(t.auditEmpty, {});
        for (const e of entries) {
          const line = t.auditLine(
            e.at.slice(0, 16).replace("T", " "),
            e.actorName || shortId(e.actorId),
            e.action,
            e.subjectName || shortId(e.subjectId),
            e.role ?? "",
            e.detail,
          );
          printer.out(e.verified ? line : line + t.auditUnverified, { type: "audit", ...e });
        }
      });
    });
}
