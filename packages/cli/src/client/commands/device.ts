/** `bote device link | join`: a second device of the same person (phone + PC). */
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import QRCode from "qrcode";
import { ClientError } from "@bote/client";
import { optionalText, parseArgument, parseOptions, text } from "../args.js";
import { clientMessages } from "../clientMessages.js";
import { helpTexts } from "../helpTexts.js";
import { cliLanguage } from "../../messages.js";
import { createPrinter } from "../print.js";
import { linkProfile, withClient } from "../session.js";
import { clientCommand } from "./clientCommand.js";

export function registerDevice(program: Command): void {
  const device = program.command("device").description(helpTexts.device);
  registerLink(device);
  registerJoin(device);
}

/** One line from the person (or a script's stdin): yes in German or English, or the code itself. */
async function confirmed(code: string): Promise<boolean> {
  const lines = createInterface({ input: process.stdin });
  try {
    for await (const line of lines) {
      const answer = line.trim().toLowerCase();
      return ["j", "ja", "y", "yes"].includes(answer) || answer.replace(/\s/g, "") === code.replace(/\s/g, "");
    }
    return false;
  } finally {
    lines.close();
  }
}

function registerLink(device: Command): void {
  clientCommand(device, "link", helpTexts.deviceLink).action(async (raw: unknown) => {
    const options = parseOptions(raw, {});
    await withClient(options, async (client, printer) => {
      const t = clientMessages(printer.language);
      const offer = await client.startDeviceLink();
      if (!printer.json) {
        printer.out(t.deviceLinkOffer(offer.code, offer.expiresAt), {});
        printer.out(await QRCode.toString(offer.url, { type: "terminal", small: true }), {});
      }
      printer.out(offer.url, { type: "device_link", code: offer.code, url: offer.url, expiresAt: offer.expiresAt });
      const { comparisonCode } = await offer.waitForDevice();
      printer.out(t.deviceLinkCompare(comparisonCode), { type: "comparison_code", comparisonCode });
      if (!(await confirmed(comparisonCode))) throw new ClientError("device_link_failed", "not confirmed");
      const { deviceId } = await offer.confirm();
      printer.out(t.deviceLinked(deviceId), { type: "device_linked", deviceId });
    });
  });
}

function registerJoin(device: Command): void {
  clientCommand(device, "join", helpTexts.deviceJoin)
    .argument("<link or code>")
    .option("--server <url>", helpTexts.deviceJoinServer)
    .action(async (rawLink: unknown, raw: unknown) => {
      const link = parseArgument(rawLink, "<link or code>", text);
      const options = parseOptions(raw, { server: optionalText });
      const shown = createPrinter(options.json, cliLanguage());
      const { client, printer } = await linkProfile(options, link, options.server, (code) =>
        shown.out(clientMessages(shown.language).deviceJoinCompare(code), {
          type: "comparison_code",
          comparisonCode: code,
        }),
      );
      try {
        const t = clientMessages(printer.language);
        printer.out(t.deviceJoined(client.profile.organisationName, client.device.credential.displayName), {
          type: "joined",
          accountId: client.profile.accountId,
          deviceId: client.profile.deviceId,
          role: client.profile.role,
        });
      } finally {
        await client.close();
      }
    });
}
