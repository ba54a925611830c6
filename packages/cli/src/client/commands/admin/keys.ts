/** `bote admin rotate-key | recovery-kit`: the organisation key itself. */
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { optionalText, parseOptions, text } from "../../args.js";
import { clientMessages } from "../../clientMessages.js";
import { helpTexts } from "../../helpTexts.js";
import { cliLanguage, UsageError } from "../../../messages.js";
import { readRecoveryPassphrase } from "../../recoveryPassphrase.js";
import { withClient } from "../../session.js";
import { clientCommand } from "../clientCommand.js";

export function registerRotateKey(admin: Command): void {
  clientCommand(admin, "rotate-key", helpTexts.adminRotateKey).action(async (raw: unknown) => {
    const options = parseOptions(raw, {});
    await withClient(options, async (client, printer) => {
      await client.rotateOrganisationKey();
      await client.idle();
      printer.out(clientMessages(printer.language).keyRotated, { type: "key_rotated" });
    });
  });
}

export function registerRecoveryKit(admin: Command): void {
  clientCommand(admin, "recovery-kit", helpTexts.adminRecoveryKit)
    .requiredOption("--out <file>", helpTexts.adminRecoveryKitOut)
    .option("--passphrase-file <file>", helpTexts.adminRecoveryKitPassphrase)
    .action(async (raw: unknown) => {
      const options = parseOptions(raw, { out: text, passphraseFile: optionalText });
      const t = clientMessages(cliLanguage());
      const passphrase = await readRecoveryPassphrase(options.passphraseFile, t);
      if (passphrase === undefined || passphrase.normalize("NFC").length < 12)
        throw new UsageError(t.passphraseMissing);
      await withClient(options, async (client, printer) => {
        const { kit, code } = await client.recoveryKit(passphrase);
        await writeFile(options.out, JSON.stringify(kit, null, 2) + "\n", { mode: 0o600, flag: "wx" });
        const said = clientMessages(printer.language);
        if (!printer.json) printer.out(said.recoveryKitWritten(options.out), {});
        printer.out(code, { type: "recovery_kit", file: options.out, code });
      });
    });
}
