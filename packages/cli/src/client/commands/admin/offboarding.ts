/** `bote admin deactivate | revoke-device | promote | demote`: signed by this device's organisation key. */
import type { BoteClient } from "@bote/client";
import type { Command } from "commander";
import { parseArgument, parseOptions, text } from "../../args.js";
import { clientMessages } from "../../clientMessages.js";
import { helpTexts } from "../../helpTexts.js";
import { cliLanguage, UsageError } from "../../../messages.js";
import { withClient } from "../../session.js";
import { clientCommand } from "../clientCommand.js";
import type { Printer } from "../../print.js";

const same = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: "accent" }) === 0;

/** One account of the whole organisation (this one included) by id or verified name. */
export async function findAccount(client: BoteClient, name: string) {
  const members = await client.organisationMembers();
  const found = members.filter((m) => m.member.accountId === name || same(m.displayName, name));
  if (found.length === 1) return found[0]!;
  const t = clientMessages(cliLanguage());
  throw new UsageError(found.length === 0 ? t.notADevice(name) : t.notADevice(name));
}

function accountCommand(
  admin: Command,
  name: string,
  help: string,
  act: (client: BoteClient, printer: Printer, accountId: string, displayName: string) => Promise<void>,
): void {
  clientCommand(admin, name, help)
    .argument("<name or account id>")
    .action(async (rawName: unknown, raw: unknown) => {
      const who = parseArgument(rawName, "<name or account id>", text);
      const options = parseOptions(raw, {});
      await withClient(options, async (client, printer) => {
        const entry = await findAccount(client, who);
        await act(client, printer, entry.member.accountId, entry.displayName);
      });
    });
}

export function registerDeactivate(admin: Command): void {
  accountCommand(admin, "deactivate", helpTexts.adminDeactivate, async (client, printer, accountId, name) => {
    await client.deactivate(accountId);
    await client.idle(); // this device commits the removal from its own groups before it exits
    printer.out(clientMessages(printer.language).deactivated(name), { type: "deactivated", accountId });
  });
}

export function registerPromote(admin: Command): void {
  accountCommand(admin, "promote", helpTexts.adminPromote, async (client, printer, accountId, name) => {
    await client.setRole(accountId, "admin");
    await client.idle(); // hands the organisation key over, end to end encrypted
    printer.out(clientMessages(printer.language).roleChanged(name, "admin"), {
      type: "role",
      accountId,
      role: "admin",
    });
  });
}

export function registerDemote(admin: Command): void {
  accountCommand(admin, "demote", helpTexts.adminDemote, async (client, printer, accountId, name) => {
    await client.setRole(accountId, "member");
    printer.out(clientMessages(printer.language).roleChanged(name, "member"), {
      type: "role",
      accountId,
      role: "member",
    });
  });
}

export function registerRevokeDevice(admin: Command): void {
  clientCommand(admin, "revoke-device", helpTexts.adminRevokeDevice)
    .argument("<device>")
    .action(async (rawDevice: unknown, raw: unknown) => {
      const device = parseArgument(rawDevice, "<device>", text);
      const options = parseOptions(raw, {});
      await withClient(options, async (client, printer) => {
        const t = clientMessages(printer.language);
        const members = await client.organisationMembers();
        const matches = members.flatMap((m) =>
          m.member.devices
            .filter((d) => d.deviceId === device || d.publicKey === device)
            .map((d) => ({ accountId: m.member.accountId, publicKey: d.publicKey, deviceId: d.deviceId })),
        );
        const only = matches[0];
        if (only === undefined || matches.length > 1) throw new UsageError(t.notADevice(device));
        await client.revokeDevice(only.accountId, only.publicKey);
        await client.idle();
        printer.out(t.deviceRevoked(only.deviceId), { type: "device_revoked", ...only });
      });
    });
}
