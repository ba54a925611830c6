/** `bote admin …`: what administrators do. A subcommand is one `register…(admin)` call and its function. */
import type { Command } from "commander";
import { oneOf, parseOptions } from "../args.js";
import { clientMessages } from "../clientMessages.js";
import { helpTexts } from "../helpTexts.js";
import { withClient } from "../session.js";
import { clientCommand } from "./clientCommand.js";

export function registerAdmin(program: Command): void {
  const admin = program.command("admin").description(helpTexts.admin);
  registerInvite(admin);
}

function registerInvite(admin: Command): void {
  clientCommand(admin, "invite", helpTexts.adminInvite)
    .option("--role <role>", helpTexts.adminInviteRole, "member")
    .action(async (raw: unknown) => {
      const options = parseOptions(raw, { role: oneOf("member", "admin") });
      await withClient(options, async (client, printer) => {
        const invitation = await client.createInvitation(options.role);
        const t = clientMessages(printer.language);
        if (!printer.json) printer.out(t.invitationCreated(invitation.expiresAt), {});
        printer.out(invitation.url, {
          type: "invitation",
          url: invitation.url,
          role: options.role,
          expiresAt: invitation.expiresAt,
        });
      });
    });
}
