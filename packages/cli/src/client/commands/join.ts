/** `bote join`: this device joins an organisation with an invitation link. */
import { POST_QUANTUM_CIPHERSUITE } from "@bote/core";
import type { Command } from "commander";
import { flag, optionalText, parseArgument, parseOptions, text } from "../args.js";
import { clientMessages } from "../clientMessages.js";
import { helpTexts } from "../helpTexts.js";
import { joinProfile } from "../session.js";
import { clientCommand } from "./clientCommand.js";

export function registerJoin(program: Command): void {
  clientCommand(program, "join", helpTexts.join)
    .argument("<invitation-url>")
    .option("--name <display name>", helpTexts.joinName)
    .option("--post-quantum", helpTexts.joinPostQuantum)
    .action(async (rawUrl: unknown, raw: unknown) => {
      const url = parseArgument(rawUrl, "<invitation-url>", text);
      const options = parseOptions(raw, { name: optionalText, postQuantum: flag(false) });
      const suite = options.postQuantum ? POST_QUANTUM_CIPHERSUITE : undefined;
      const { client, printer } = await joinProfile(options, url, options.name, suite);
      try {
        const t = clientMessages(printer.language);
        const profile = client.profile;
        // Only the first admin's link (from the server) carries no invitation key: that device made the organisation key.
        if (!printer.json && profile.organisationSignKey !== undefined && !url.includes("&k=")) {
          printer.out(t.orgKeyCreated, {});
        }
        printer.out(t.joined(profile.organisationName, client.device.credential.displayName), {
          type: "joined",
          accountId: profile.accountId,
          deviceId: profile.deviceId,
          role: profile.role,
          organisation: profile.organisationName,
          holdsOrganisationKey: profile.organisationSignKey !== undefined,
          ciphersuite: client.device.ciphersuite,
        });
      } finally {
        await client.close();
      }
    });
}
