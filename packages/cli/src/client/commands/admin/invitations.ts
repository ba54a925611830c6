/** `bote admin invite | invitations | revoke-invitation`. */
import type { Command } from "commander";
import { readFile, writeFile } from "node:fs/promises";
import { parseStaffCsv } from "@bote/client/staffCsv";
import { invitationSheetPdf, type SheetPerson } from "@bote/client/invitationSheet";
import { oneOf, optionalText, parseArgument, parseOptions, positiveInteger, text } from "../../args.js";
import { clientMessages } from "../../clientMessages.js";
import { helpTexts } from "../../helpTexts.js";
import { cliLanguage, UsageError } from "../../../messages.js";
import { withClient, type ClientOptions } from "../../session.js";
import { clientCommand } from "../clientCommand.js";

const DAY_MS = 24 * 3_600_000;

export function registerInvite(admin: Command): void {
  clientCommand(admin, "invite", helpTexts.adminInvite)
    .option("--name <name>", helpTexts.adminInviteName)
    .option("--role <role>", helpTexts.adminInviteRole, "member")
    .option("--days <n>", helpTexts.adminInviteDays, "7")
    .option("--csv <file>", helpTexts.adminInviteCsv)
    .option("--sheet <file.pdf>", helpTexts.adminInviteSheet)
    .action(async (raw: unknown) => {
      const options = parseOptions(
        raw,
        {
          name: optionalText,
          role: oneOf("member", "admin"),
          days: positiveInteger,
          csv: optionalText,
          sheet: optionalText,
        },
        (o, t) => {
          if (o.days > 30) return t.usage.invalid("--days", String(o.days));
          if ((o.name === undefined) === (o.csv === undefined))
            return t.usage.exclusive("admin invite", "--name", "--csv");
          return undefined;
        },
      );
      if (options.csv !== undefined) {
        await inviteBatch(options.csv, options.sheet, options.days * DAY_MS, options);
        return;
      }
      const name = options.name ?? "";
      await withClient(options, async (client, printer) => {
        const invitation = await client.createInvitation(options.role, name, options.days * DAY_MS);
        const t = clientMessages(printer.language);
        if (!printer.json) {
          printer.out(t.invitationFor(name, options.role), {});
          printer.out(t.invitationCreated(invitation.expiresAt), {});
        }
        printer.out(invitation.url, {
          type: "invitation",
          url: invitation.url,
          accountId: invitation.accountId,
          name,
          role: options.role,
          expiresAt: invitation.expiresAt,
        });
        if (options.sheet !== undefined) {
          const organisation = client.profile.organisationName;
          const people = [{ displayName: name, department: "", url: invitation.url, expiresAt: invitation.expiresAt }];
          await writeSheet(options.sheet, organisation, people);
        }
      });
    });
}

/**
 * `bote admin invite --csv staff.csv [--sheet sheet.pdf]`: the file is read
 * and judged as a whole before the profile opens, so a bad row costs nothing
 * on the server; then one batch, all or none.
 */
async function inviteBatch(
  csvPath: string,
  sheetPath: string | undefined,
  lifetimeMs: number,
  options: ClientOptions,
): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(csvPath);
  } catch {
    throw new UsageError(clientMessages(cliLanguage()).usage.invalid("--csv", csvPath));
  }
  await withClient(options, async (client, printer) => {
    const rows = parseStaffCsv(bytes);
    const made = await client.createInvitations(rows, lifetimeMs);
    const t = clientMessages(printer.language);
    if (!printer.json) printer.out(t.batchInvited(made.length), {});
    for (const m of made) {
      printer.out(t.batchLine(m.displayName, m.role, m.department, m.url), {
        type: "invitation",
        url: m.url,
        accountId: m.accountId,
        name: m.displayName,
        role: m.role,
        department: m.department,
        title: m.title,
        expiresAt: m.expiresAt,
      });
    }
    if (sheetPath !== undefined) {
      const organisation = client.profile.organisationName;
      await writeSheet(sheetPath, organisation, made);
      if (!printer.json) printer.out(t.sheetWritten(sheetPath, made.length), {});
    }
  });
}

async function writeSheet(path: string, organisation: string, people: readonly SheetPerson[]): Promise<void> {
  // Invitation links are secrets until used: the sheet is readable by its owner only.
  await writeFile(path, invitationSheetPdf(organisation, people), { mode: 0o600 });
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
