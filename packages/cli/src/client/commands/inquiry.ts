/**
 * `bote inquiry …`: the customer's side of a contact point (§18), without an account. Each inquiry is
 * a throw-away guest device in `<profile>/inquiries/<name>.db` (see withNewInquiry); the return link
 * the send prints is the only way back to it.
 */
import { stat } from "node:fs/promises";
import { ClientError, readContactPoint, sendInquiry, type OutgoingFile } from "@bote/client";
import type { ContactPoint } from "@bote/protocol";
import type { Command } from "commander";
import { cliLanguage, UsageError, type Language } from "../../messages.js";
import { flag, optionalText, parseArgument, parseOptions, text, words } from "../args.js";
import { clientMessages } from "../clientMessages.js";
import { helpTexts } from "../helpTexts.js";
import { nodeTransport } from "../nodeTransport.js";
import { explainRefusal, outgoingFile } from "../outgoingFile.js";
import { createPrinter, printMessage } from "../print.js";
import { withInquiry, withNewInquiry } from "../session.js";
import { clientCommand, collect } from "./clientCommand.js";

export function registerInquiry(program: Command): void {
  const inquiry = program.command("inquiry").description(helpTexts.inquiry);
  registerShowContactPoint(inquiry);
  registerSend(inquiry);
  registerShow(inquiry);
  registerReply(inquiry);
}

function registerSend(parent: Command): void {
  clientCommand(parent, "send", helpTexts.inquirySend)
    .argument("<contact point URL>")
    .requiredOption("--text <text>", helpTexts.inquiryText)
    .option("--photo <file>", helpTexts.inquiryPhoto, collect, [])
    .option("--file <file>", helpTexts.inquiryFile, collect, [])
    .option("--name <name>", helpTexts.inquiryName)
    .option("--phone <phone>", helpTexts.inquiryPhone)
    .option("--email <e-mail>", helpTexts.inquiryEmail)
    .option("--address <address>", helpTexts.inquiryAddress)
    .option("--consent", helpTexts.inquiryConsent)
    .action(async (rawUrl: unknown, raw: unknown) => {
      const url = parseArgument(rawUrl, "<contact point URL>", text);
      const options = parseOptions(
        raw,
        {
          text: text,
          photo: words,
          file: words,
          name: optionalText,
          phone: optionalText,
          email: optionalText,
          address: optionalText,
          consent: flag(false),
        },
        (o, t) => (o.consent ? undefined : t.usage.consentMissing(url)),
      );
      const language = cliLanguage();
      // Photos leave without location and camera data, as from `bote send --file`; documents as they are.
      const files: OutgoingFile[] = [];
      for (const path of options.photo) files.push(await prepare(path, "--photo", false, language));
      for (const path of options.file) files.push(await prepare(path, "--file", true, language));
      await withNewInquiry(
        options,
        (guest) =>
          sendInquiry(
            url,
            {
              text: options.text,
              files,
              consent: options.consent,
              locale: language,
              ...(options.name === undefined ? {} : { name: options.name }),
              ...(options.phone === undefined ? {} : { phone: options.phone }),
              ...(options.email === undefined ? {} : { email: options.email }),
              ...(options.address === undefined ? {} : { address: options.address }),
            },
            guest,
          ),
        (sent, printer) => {
          printer.out(`${clientMessages(printer.language).inquirySent}\n${sent.returnLink}`, {
            type: "inquiry_sent",
            returnLink: sent.returnLink,
            conversationId: sent.conversationId,
          });
          return Promise.resolve();
        },
      );
    });
}

async function prepare(path: string, option: string, asFile: boolean, language: Language): Promise<OutgoingFile> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error("not a file");
    size = info.size;
  } catch {
    throw new UsageError(clientMessages(language).usage.invalid(option, path));
  }
  return explainRefusal(path, () => outgoingFile(path, size, "", { asFile, original: false }));
}

function registerShowContactPoint(parent: Command): void {
  clientCommand(parent, "show-contact-point", helpTexts.inquiryShowContactPoint)
    .argument("<contact point URL>")
    .action(async (rawUrl: unknown, raw: unknown) => {
      const url = parseArgument(rawUrl, "<contact point URL>", text);
      const options = parseOptions(raw, {});
      const printer = createPrinter(options.json, cliLanguage());
      // The public page only: nothing is stored and no profile is opened.
      const page = await readContactPoint(url, nodeTransport);
      const point = page.contactPoint;
      const t = clientMessages(printer.language);
      const human = [
        t.contactPointPage.heading(point.name, page.organisation.name),
        point.open ? "" : t.contactPointPage.closed,
        point.greeting,
        point.openingHours === "" ? "" : t.contactPointPage.hours(point.openingHours),
        point.requiredFields.length === 0 ? "" : t.contactPointPage.required(fieldNames(point, printer.language)),
        t.contactPointPage.retention(point.retentionDays),
        point.privacyText === "" ? "" : `${t.contactPointPage.privacy}\n${point.privacyText}`,
      ].filter((line) => line !== "");
      printer.out(human.join("\n"), {
        type: "contact_point",
        url: page.url,
        slug: point.slug,
        name: point.name,
        organisation: page.organisation.name,
        open: point.open,
        greeting: point.greeting,
        openingHours: point.openingHours,
        requiredFields: point.requiredFields,
        retentionDays: point.retentionDays,
        privacyText: point.privacyText,
      });
    });
}

function fieldNames(point: ContactPoint, language: Language): string {
  const names = clientMessages(language).contactField;
  return point.requiredFields.map((f) => names[f]).join(", ");
}

function registerShow(parent: Command): void {
  clientCommand(parent, "show", helpTexts.inquiryShow)
    .argument("<return link>")
    .action(async (rawLink: unknown, raw: unknown) => {
      const link = parseArgument(rawLink, "<return link>", text);
      const options = parseOptions(raw, {});
      await withInquiry(options, link, async ({ client, conversationId }, printer) => {
        await client.sync();
        // A guest's organisation view holds exactly the contact point it wrote to.
        const name = [...client.organisation.contactPoints.values()][0]?.name ?? client.profile.organisationName;
        printer.out(clientMessages(printer.language).inquiryHeading(name), {
          type: "inquiry",
          conversationId,
          contactPoint: name,
        });
        // The customer's device is in the inquiry's group only: staff notes never reach it.
        for (const message of await client.listMessages(conversationId, 500)) {
          if (message.kind === "content") printMessage(printer, message);
        }
      });
    });
}

function registerReply(parent: Command): void {
  clientCommand(parent, "reply", helpTexts.inquiryReply)
    .argument("<return link>")
    .argument("<text...>")
    .action(async (rawLink: unknown, rawWords: unknown, raw: unknown) => {
      const link = parseArgument(rawLink, "<return link>", text);
      const message = parseArgument(rawWords, "<text...>", words).join(" ").trim();
      const options = parseOptions(raw, {});
      await withInquiry(options, link, async ({ client, conversationId }, printer) => {
        const sent = await client.sendText(conversationId, message);
        if (sent !== undefined) printMessage(printer, sent);
        // Refused for every recipient: exit 1 with a sentence, never a silent "sent".
        if (sent?.status === "failed") throw new ClientError("delivery_failed");
      });
    });
}
