/** `bote admin department`: a person's department and title in the directory, signed by the organisation key. */
import type { Command } from "commander";
import { optionalText, parseArgument, parseOptions, text } from "../../args.js";
import { clientMessages } from "../../clientMessages.js";
import { helpTexts } from "../../helpTexts.js";
import { withClient } from "../../session.js";
import { clientCommand } from "../clientCommand.js";
import { findAccount } from "./offboarding.js";

export function registerDepartment(admin: Command): void {
  clientCommand(admin, "department", helpTexts.adminDepartment)
    .argument("<name or account id>")
    .requiredOption("--department <text>", helpTexts.adminDepartmentText)
    .option("--title <text>", helpTexts.adminDepartmentTitle)
    .action(async (rawName: unknown, raw: unknown) => {
      const who = parseArgument(rawName, "<name or account id>", text);
      // An empty --department "" clears it, so it is read as optional text, not as a required word.
      const options = parseOptions(raw, { department: optionalText, title: optionalText });
      await withClient(options, async (client, printer) => {
        const entry = await findAccount(client, who);
        const details = { department: options.department ?? "", title: options.title ?? entry.title };
        await client.setDirectoryEntry(entry.member.accountId, details);
        printer.out(clientMessages(printer.language).departmentSet(entry.displayName, details.department), {
          type: "directory_entry",
          accountId: entry.member.accountId,
          ...details,
        });
      });
    });
}
