/**
 * `bote admin setup`: the setup wizard of the web app, on the command line.
 * Every answer can come as a flag (scripts); what is missing is asked on
 * the terminal, one line each; the passphrase unseen and twice. Nothing is
 * changed before every answer passed.
 */
import { writeFile } from "node:fs/promises";
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { isCanonicalDisplayName, type Language } from "@bote/protocol";
import { oneOf, optionalText, parseOptions, type Field } from "../../args.js";
import { clientMessages } from "../../clientMessages.js";
import { helpTexts } from "../../helpTexts.js";
import { cliLanguage, UsageError } from "../../../messages.js";
import { readRecoveryPassphrase } from "../../recoveryPassphrase.js";
import { readSecretLine } from "../../readSecretLine.js";
import { withClient } from "../../session.js";
import { clientCommand } from "../clientCommand.js";

const MIN_PASSPHRASE_CHARS = 12;
const DEFAULT_KIT_FILE = "bote-wiederherstellung.json";

const language: Field<Language | undefined> = (value, name, t) =>
  value === undefined ? undefined : oneOf("de", "en")(value, name, t);

const name: Field<string | undefined> = (value, option, t) => {
  const text = optionalText(value, option, t)?.normalize("NFC").trim();
  if (text !== undefined && !isCanonicalDisplayName(text)) throw new UsageError(t.usage.invalid(option, text));
  return text;
};

/**
 * Asks on stderr and reads one line of stdin per question; a closed stdin is an empty answer.
 * A secret is read with the terminal's echo off; from a pipe (a script) it is a line as any other.
 */
function prompter() {
  const onTerminal = process.stdin.isTTY === true;
  const open = () => {
    const lines = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
    return { lines, iterator: lines[Symbol.asyncIterator]() };
  };
  let reader: ReturnType<typeof open> | undefined;
  const close = () => {
    reader?.lines.close();
    reader = undefined;
  };
  const ask = async (question: string): Promise<string> => {
    reader ??= open();
    process.stderr.write(question);
    const next = await reader.iterator.next();
    return next.done === true ? "" : String(next.value).trim();
  };
  return {
    onTerminal,
    ask,
    async askSecret(question: string): Promise<string> {
      if (!onTerminal) return ask(question);
      // Closed first: it would read the keys too, and keep lines of them in its buffer.
      close();
      return ((await readSecretLine(question, process.stdin, process.stderr)) ?? "").trim();
    },
    close,
  };
}

export function registerSetup(admin: Command): void {
  clientCommand(admin, "setup", helpTexts.adminSetup)
    .option("--org-name <name>", helpTexts.adminSetupOrgName)
    .option("--name <display name>", helpTexts.adminSetupName)
    .option("--language <de|en>", helpTexts.adminSetupLanguage)
    .option("--recovery-kit <file>", helpTexts.adminSetupRecoveryKit)
    .option("--passphrase-file <file>", helpTexts.adminRecoveryKitPassphrase)
    .action(async (raw: unknown) => {
      const options = parseOptions(raw, {
        orgName: name,
        name,
        language,
        recoveryKit: optionalText,
        passphraseFile: optionalText,
      });
      const t = clientMessages(cliLanguage());
      let passphrase = await readRecoveryPassphrase(options.passphraseFile, t);
      await withClient(options, async (client, printer) => {
        const settings = await client.organisationSettings();
        const ownName = client.device.credential.displayName;
        const asking = prompter();
        let answers;
        try {
          const askName = async (given: string | undefined, question: string, fallback: string, option: string) => {
            const answer = given ?? ((await asking.ask(question)) || fallback);
            const clean = answer.normalize("NFC").trim();
            if (!isCanonicalDisplayName(clean)) throw new UsageError(t.usage.invalid(option, clean));
            return clean;
          };
          const organisationName = await askName(
            options.orgName,
            t.setupAsk.organisationName,
            settings.name,
            "--org-name",
          );
          const displayName = await askName(options.name, t.setupAsk.displayName(ownName), ownName, "--name");
          const chosen = options.language ?? ((await asking.ask(t.setupAsk.language)) || "de");
          const lang = oneOf("de", "en")(chosen, "--language", t);
          const kitFile = options.recoveryKit ?? ((await asking.ask(t.setupAsk.recoveryKit)) || DEFAULT_KIT_FILE);
          const typed = passphrase === undefined;
          passphrase ??= await asking.askSecret(t.setupAsk.passphrase);
          if (passphrase === "") throw new UsageError(t.setupRecoveryKitMissing);
          if (passphrase.normalize("NFC").length < MIN_PASSPHRASE_CHARS) {
            throw new UsageError(t.setupPassphraseTooShort(MIN_PASSPHRASE_CHARS));
          }
          // Typed unseen, a typo would leave a kit nobody can open: a person types it twice.
          if (typed && asking.onTerminal && (await asking.askSecret(t.setupAsk.passphraseAgain)) !== passphrase) {
            throw new UsageError(t.setupPassphraseMismatch);
          }
          answers = { organisationName, displayName, language: lang, kitFile, passphrase };
        } finally {
          asking.close();
        }
        // The kit first: a setup that is marked done must have left the key recoverable.
        const { kit, code } = await client.recoveryKit(answers.passphrase);
        await writeFile(answers.kitFile, JSON.stringify(kit, null, 2) + "\n", { mode: 0o600, flag: "wx" });
        await client.setUpOrganisation({
          organisationName: answers.organisationName,
          displayName: answers.displayName,
          language: answers.language,
        });
        // The language is also the signed policy's, which every member's app follows.
        if (client.policy.language !== answers.language) await client.setPolicy({ language: answers.language });
        await client.idle();
        const said = clientMessages(answers.language);
        if (!printer.json) {
          printer.out(said.recoveryKitWritten(answers.kitFile), {});
          printer.out(code, {});
          // The policies step: `bote admin policy set` changes the rest.
          printer.out(said.setupPolicies, {});
          printer.out(said.setupDone(answers.organisationName, answers.displayName), {});
          return;
        }
        printer.out("", {
          type: "set_up",
          organisation: answers.organisationName,
          name: answers.displayName,
          language: answers.language,
          recoveryKit: answers.kitFile,
          code,
        });
      });
    });
}
