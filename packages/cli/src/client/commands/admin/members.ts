/** `bote admin members`: every account with its role, its state on the trust chain and its devices. */
import type { Command } from "commander";
import { parseOptions } from "../../args.js";
import { clientMessages } from "../../clientMessages.js";
import { helpTexts } from "../../helpTexts.js";
import { withClient } from "../../session.js";
import { clientCommand } from "../clientCommand.js";

export function registerMembers(admin: Command): void {
  clientCommand(admin, "members", helpTexts.adminMembers).action(async (raw: unknown) => {
    const options = parseOptions(raw, {});
    await withClient(options, async (client, printer) => {
      const t = clientMessages(printer.language);
      for (const entry of await client.organisationMembers()) {
        const state = entry.confirmed ? (entry.provisional ? "provisional" : "confirmed") : "unconfirmed";
        const { member } = entry;
        printer.out(t.memberLine(entry.displayName, entry.role, t.memberState[state], member.devices.length), {
          type: "member",
          accountId: member.accountId,
          name: entry.displayName,
          role: entry.role,
          state,
          devices: member.devices.map((d) => ({ deviceId: d.deviceId, publicKey: d.publicKey })),
        });
        if (printer.json) continue;
        for (const device of member.devices) printer.out(t.deviceLine(device.deviceId, device.publicKey), {});
      }
    });
  });
}
