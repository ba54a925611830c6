/** `bote join`: this device joins an organisation with an invitation link. */
import { readFile } from "node:fs/promises";
import { openRecoveryKit, POST_QUANTUM_CIPHERSUITE } from "@bote/core";
import type { Command } from "commander";
import { flag, optionalText, parseArgument, parseOptions } from "../args.js";
import { clientMessages } from "../clientMessages.js";
import { cliLanguage, UsageError } from "../../messages.js";
import { helpTexts } from "../helpTexts.js";
import { readRecoveryPassphrase } from "../recoveryPassphrase.js";
import { joinProfile } from "../session.js";
import { clientCommand } from "./clientCommand.js";

export function registerJoin(program: Command): void {
  clientCommand(program, "join", helpTexts.join)
    // Optional: an argument shows up in `ps` and the shell history, so the link can also come from a file or stdin.
    .argument("[invitation-url]")
    .option("--link-file <file>", helpTexts.joinLinkFile)
    .option("--name <display name>", helpTexts.joinName)
    .option("--post-quantum", helpTexts.joinPostQuantum)
    .option("--recovery-kit <file>", helpTexts.joinRecoveryKit)
    .option("--passphrase-file <file>", helpTexts.adminRecoveryKitPassphrase)
    .action(async (rawUrl: unknown, raw: unknown) => {
      const argument = parseArgument(rawUrl, "[invitation-url]", optionalText);
      const options = parseOptions(
        raw,
        {
          name: optionalText,
          postQuantum: flag(false),
          linkFile: optionalText,
          recoveryKit: optionalText,
          passphraseFile: optionalText,
        },
        (o, t) =>
          argument !== undefined && argument !== "-" && o.linkFile !== undefined
            ? t.usage.exclusive("join", "<invitation-url>", "--link-file")
            : undefined,
      );
      const url = await readInvitationLink(argument, options.linkFile);
      const suite = options.postQuantum ? POST_QUANTUM_CIPHERSUITE : undefined;
      const restored =
        options.recoveryKit === undefined ? undefined : await readKit(options.recoveryKit, options.passphraseFile);
      const { client, printer } = await joinProfile(options, url, options.name, suite, restored);
      try {
        const t = clientMessages(printer.language);
        const profile = client.profile;
        // Only the first admin's link (from the server) carries no invitation key: that device made the organisation key.
        if (!printer.json && profile.organisationSignKey !== undefined && !url.includes("&k=")) {
          printer.out(restored === undefined ? t.orgKeyCreated : t.orgKeyRestored, {});
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

/** The organisation key from a recovery kit, for a recovery invitation (`bote serve --recovery-invite`). */
async function readKit(file: string, passphraseFile: string | undefined): Promise<Uint8Array> {
  const t = clientMessages(cliLanguage());
  let kit: unknown;
  try {
    kit = JSON.parse(await readFile(file, "utf8")) as unknown;
  } catch {
    throw new UsageError(t.usage.invalid("--recovery-kit", file));
  }
  const passphrase = await readRecoveryPassphrase(passphraseFile, t);
  if (passphrase === undefined) throw new UsageError(t.passphraseMissing);
  const key = await openRecoveryKit(kit, passphrase);
  if (key === undefined) throw new UsageError(t.recoveryKitClosed);
  return key;
}

/** Links are about 120 characters; anything much longer is not one. */
const MAX_LINK_BYTES = 4096;

/** The link from the argument, `--link-file`, or stdin (`-`, or no argument while stdin is not a terminal). */
async function readInvitationLink(argument: string | undefined, linkFile: string | undefined): Promise<string> {
  const t = clientMessages(cliLanguage());
  let raw: string;
  if (linkFile !== undefined) {
    try {
      raw = (await readFile(linkFile)).subarray(0, MAX_LINK_BYTES).toString("utf8");
    } catch {
      throw new UsageError(t.usage.invalid("--link-file", linkFile));
    }
  } else if (argument === "-" || (argument === undefined && process.stdin.isTTY !== true)) {
    raw = await readStdin();
  } else if (argument !== undefined) {
    raw = argument;
  } else {
    throw new UsageError(t.usage.linkMissing);
  }
  const link = raw
    .split(/\r?\n/)
    .find((line) => line.trim() !== "")
    ?.trim();
  if (link === undefined) throw new UsageError(t.usage.linkMissing);
  return link;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > MAX_LINK_BYTES) break;
  }
  return Buffer.concat(chunks).subarray(0, MAX_LINK_BYTES).toString("utf8");
}
