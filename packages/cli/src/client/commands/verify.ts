/** `bote verify`: the safety number and QR code with a contact, and marking their key as trusted. */
import { bytesFrom, type BoteClient } from "@bote/client";
import { computeSafetyNumber, verificationQrPayload } from "@bote/core";
import type { Command } from "commander";
import QRCode from "qrcode";
import { flag, parseArgument, parseOptions, text } from "../args.js";
import { clientMessages } from "../clientMessages.js";
import { helpTexts } from "../helpTexts.js";
import type { Printer } from "../print.js";
import { resolveAccount } from "../resolve.js";
import { withClient } from "../session.js";
import { clientCommand } from "./clientCommand.js";

type Trust = "verified" | "unverified" | undefined;

export function registerVerify(program: Command): void {
  clientCommand(program, "verify", helpTexts.verify)
    .argument("<contact>")
    .option("--confirm", helpTexts.verifyConfirm)
    .option("--accept-unverified", helpTexts.verifyAcceptUnverified)
    .action(async (rawName: unknown, raw: unknown) => {
      const name = parseArgument(rawName, "<contact>", text);
      const options = parseOptions(raw, { confirm: flag(false), acceptUnverified: flag(false) }, (o, t) =>
        o.confirm && o.acceptUnverified ? t.usage.exclusive("verify", "--confirm", "--accept-unverified") : undefined,
      );
      const trust: Trust = options.confirm ? "verified" : options.acceptUnverified ? "unverified" : undefined;
      await withClient(options, async (client, printer) => {
        await verify(client, printer, name, trust);
      });
    });
}

async function verify(client: BoteClient, printer: Printer, name: string, trust: Trust): Promise<void> {
  const t = clientMessages(printer.language);
  const member = await resolveAccount(client, name);
  const own = {
    accountId: bytesFrom(client.profile.accountId, "accountId"),
    devicePublicKey: client.device.signatureKeyPair.publicKey,
  };
  // The key this device has seen in conversations counts; the server's directory only fills in before the first chat.
  const contact = await client.store.getContact(member.accountId);
  const keys = contact?.devices.map((d) => d.devicePublicKey) ?? member.devices.map((d) => d.publicKey);
  for (const key of keys) {
    const other = {
      accountId: bytesFrom(member.accountId, "accountId"),
      devicePublicKey: bytesFrom(key, "devicePublicKey"),
    };
    const number = computeSafetyNumber(own, other);
    const qr = verificationQrPayload(own, other);
    if (printer.json) {
      printer.out("", {
        type: "safety_number",
        accountId: member.accountId,
        devicePublicKey: key,
        safetyNumber: number,
        qr,
      });
    } else {
      printer.out(`${t.safetyNumberFor(member.displayName)}\n${number}\n`, {});
      printer.out(await QRCode.toString(qr, { type: "terminal", small: true }), {});
      printer.out(t.safetyNumberHint, {});
    }
    if (trust !== undefined) {
      if (contact === undefined) {
        await client.store.apply({
          contacts: [
            {
              accountId: member.accountId,
              displayName: member.displayName,
              devices: [{ devicePublicKey: key, trust, firstSeenAt: Date.now() }],
            },
          ],
        });
      } else await client.setTrust(member.accountId, key, trust);
      const text = trust === "verified" ? t.verifiedNow(member.displayName) : t.acceptedUnverified(member.displayName);
      printer.out(text, { type: "trust", accountId: member.accountId, devicePublicKey: key, trust });
    }
  }
}
