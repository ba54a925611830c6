/**
 * `bote admin person export | erase` and `bote admin privacy <document>`:
 * a person's server-side data (Art. 15, 17, 20 GDPR) and the documents the
 * server generates from its configuration (docs/PROTOCOL.md §22).
 */
import { writeFile } from "node:fs/promises";
import type { BoteClient } from "@bote/client";
import { PRIVACY_DOCUMENTS } from "@bote/protocol";
import type { Command } from "commander";
import { flag, oneOf, optionalText, parseArgument, parseOptions, text, type Field } from "../../args.js";
import { clientMessages } from "../../clientMessages.js";
import { helpTexts } from "../../helpTexts.js";
import { cliLanguage, UsageError } from "../../../messages.js";
import { withClient } from "../../session.js";
import { clientCommand } from "../clientCommand.js";

const same = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: "accent" }) === 0;
const ACCOUNT_ID = /^[A-Za-z0-9_-]{22}$/;

const optionalLanguage: Field<"de" | "en" | undefined> = (value, name, t) =>
  value === undefined ? undefined : oneOf("de", "en")(value, name, t);

/**
 * A member, or a deactivated person this device knows from the log, by
 * account id or verified name; else an account id as typed (a person this
 * device never saw).
 */
async function findPerson(client: BoteClient, who: string): Promise<{ accountId: string; name: string }> {
  const people = [
    ...(await client.organisationMembers()).map((m) => ({ accountId: m.member.accountId, name: m.displayName })),
    ...(await client.formerMembers()).map((m) => ({ accountId: m.accountId, name: m.displayName })),
  ];
  const byId = people.find((p) => p.accountId === who);
  if (byId !== undefined) return byId;
  const byName = people.filter((p) => same(p.name, who));
  if (byName.length === 1) return byName[0]!;
  if (byName.length === 0 && ACCOUNT_ID.test(who)) return { accountId: who, name: who };
  throw new UsageError(clientMessages(cliLanguage()).notAPerson(who));
}

/** Written owner-only and never over an existing file: an export is personal data. */
async function writeOut(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600, flag: "wx" });
}

export function registerPerson(admin: Command): void {
  const person = admin.command("person").description(helpTexts.adminPerson);
  clientCommand(person, "export", helpTexts.adminPersonExport)
    .argument("<name or account id>")
    .option("--out <file>", helpTexts.adminPersonOut)
    .action(async (rawWho: unknown, raw: unknown) => {
      const who = parseArgument(rawWho, "<name or account id>", text);
      const options = parseOptions(raw, { out: optionalText });
      await withClient(options, async (client, printer) => {
        const found = await findPerson(client, who);
        const exported = await client.exportPerson(found.accountId);
        const json = JSON.stringify(exported, null, 2) + "\n";
        if (options.out === undefined) {
          printer.out(json.trimEnd(), { type: "person_export", ...exported });
          return;
        }
        await writeOut(options.out, json);
        const rows = Object.values(exported.rows).reduce((n, r) => n + r.length, 0);
        printer.out(clientMessages(printer.language).personExported(found.name, options.out, rows), {
          type: "person_exported",
          accountId: found.accountId,
          file: options.out,
          rows,
        });
      });
    });
  clientCommand(person, "erase", helpTexts.adminPersonErase)
    .argument("<name or account id>")
    .option("--confirm", helpTexts.adminPersonConfirm)
    .action(async (rawWho: unknown, raw: unknown) => {
      const who = parseArgument(rawWho, "<name or account id>", text);
      const options = parseOptions(raw, { confirm: flag(false) }, (o, t) =>
        o.confirm ? undefined : t.eraseNeedsConfirm(who),
      );
      await withClient(options, async (client, printer) => {
        const found = await findPerson(client, who);
        const result = await client.erasePerson(found.accountId);
        const rows = Object.values(result.deleted).reduce((n, x) => n + x, 0);
        printer.out(clientMessages(printer.language).personErased(found.name, rows, result.tombstoned), {
          type: "person_erased",
          accountId: found.accountId,
          ...result,
        });
      });
    });
}

export function registerPrivacy(admin: Command): void {
  clientCommand(admin, "privacy", helpTexts.adminPrivacy)
    .argument(`<${PRIVACY_DOCUMENTS.join("|")}>`)
    .option("--lang <de|en>", helpTexts.adminPrivacyLang)
    .option("--out <file>", helpTexts.adminPrivacyOut)
    .action(async (rawDocument: unknown, raw: unknown) => {
      const document = parseArgument(rawDocument, "<document>", oneOf(...PRIVACY_DOCUMENTS));
      const options = parseOptions(raw, { lang: optionalLanguage, out: optionalText });
      await withClient(options, async (client, printer) => {
        const doc = await client.privacyDocument(document, options.lang ?? printer.language);
        if (options.out === undefined) {
          printer.out(doc.markdown.trimEnd(), { type: "privacy_document", ...doc });
          return;
        }
        await writeOut(options.out, doc.markdown);
        printer.out(clientMessages(printer.language).privacyWritten(doc.title, options.out), {
          type: "privacy_document_written",
          document,
          language: doc.language,
          file: options.out,
        });
      });
    });
}
