/** `bote directory`: colleagues' names, roles and departments, as the organisation signed them. */
import type { Command } from "commander";
import type { DirectoryEntry } from "@bote/client";
import { optionalText, parseOptions } from "../args.js";
import { clientMessages } from "../clientMessages.js";
import { helpTexts } from "../helpTexts.js";
import { withClient } from "../session.js";
import { clientCommand } from "./clientCommand.js";

/** Whether every word of the search is in the name, department or title (case- and accent-insensitive). */
export function matchesDirectorySearch(entry: DirectoryEntry, search: string): boolean {
  const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  const haystack = fold(`${entry.displayName} ${entry.department} ${entry.title}`);
  return fold(search)
    .split(/\s+/)
    .filter((w) => w !== "")
    .every((w) => haystack.includes(w));
}

export function registerDirectory(program: Command): void {
  clientCommand(program, "directory", helpTexts.directory)
    .option("--search <text>", helpTexts.directorySearch)
    .action(async (raw: unknown) => {
      const options = parseOptions(raw, { search: optionalText });
      await withClient(options, async (client, printer) => {
        const t = clientMessages(printer.language);
        const entries = (await client.directory())
          .filter((e) => e.confirmed && (options.search === undefined || matchesDirectorySearch(e, options.search)))
          .sort((a, b) => a.displayName.localeCompare(b.displayName, printer.language));
        if (entries.length === 0 && !printer.json) printer.out(t.directoryEmpty, {});
        for (const e of entries) {
          printer.out(t.directoryLine(e.displayName, e.role, e.department, e.title), {
            type: "colleague",
            accountId: e.member.accountId,
            name: e.displayName,
            role: e.role,
            department: e.department,
            title: e.title,
          });
        }
      });
    });
}
