/** `bote admin invite | invitations | revoke-invitation`. */
import type { Command } from "commander";
import { oneOf, parseArgument, parseOptions, positiveInteger, text } from "../../args.js";
import { clientMessages } from "../../clientMessages.js";
import { helpTexts } from "../../helpTexts.js";
import { UsageError } from "../../../messages.js";
import { withClient } from "../../session.js";
import { clientCommand } from "../clientCommand.js";

const DAY_MS = 24 * 3_600_000;

export function registerInvite(admin: Command): void {
  clientCommand(admin, "invite", helpTexts.adminInvite)
    .requiredOption("--name <name>", helpTexts.adminInviteName)
    .option("--role <role>", helpTexts.adminInviteRole, "member")
    .option("--days <n>", helpTexts.adminInviteDays, "7")
    .action(async (raw: unknown) => {
      const options = parseOptions(
        raw,
        { name: text, role: oneOf("member", "admin"), days: positiveInteger },
        (o, t) => (o.days > 30 ? t.usage.invalid("--days", String(o.days)) : undefined),
      );
      await withClient(options, async (client, printer) => {
        const invitation = await client.createInvitation(options.role, options.name, options.days * DAY_MS);
        const t = clientMessages(printer.language);
        if (!printer.json) {
          printer.out(t.invitationFor(options.name, options.role), {});
          printer.out(t.invitationCreated(invitation.expiresAt), {});
        }
        printer.out(invitation.url, {
          type: "invitation",
          url: invitation.url,
          accountId: invitation.accountId,
          name: options.name,
          role: options.role,
          expiresAt: invitation.expiresAt,
        });
      });
    });
}

export function registerInvitations(admin: Command): void {
  clientCommand(admin, "invitations", helpTexts.adminInvitations).action(async (raw: unknown) => {
    const options = parseOptions(raw, {});
    await withClient(options, async (client, printer) => {
      const t = clientMessages(printer.language);
      const { invitations } = await client.invitations();
      if (invitations.length === 0 && !printer.json) printer.out(t.noInvitations, {});
      for (const i of invitations) {
        printer.out(t.invitationLine(i.displayName, i.role, i.state, i.expiresAt), { type: "invitation", ...i });
      }
    });
  });
}

export function registerRevokeInvitation(admin: Command): void {
  clientCommand(admin, "revoke-invitation", helpTexts.adminRevokeInvitation)
    .argument("<name or account id>")
    .action(async (rawName: unknown, raw: unknown) => {
      const name = parseArgument(rawName, "<name or account id>", text);
      const options = parseOptions(raw, {});
      await withClient(options, async (client, printer) => {
        const t = clientMessages(printer.language);
        const { invitations } = await client.invitations();
        const open = invitations.filter(
          (i) => i.state === "open" && (i.accountId === name || i.displayName.toLowerCase() === name.toLowerCase()),
        );
        const only = open[0];
        if (only === undefined || open.length > 1) throw new UsageError(t.notAnInvitation(name));
        await client.revokeInvitation(only.certificate);
        printer.out(t.invitationRevoked(only.displayName), {
          type: "invitation_revoked",
          accountId: only.accountId,
        });
      });
    });
}
