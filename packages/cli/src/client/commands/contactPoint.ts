/** `bote contact-point create | list | close`: where customers without an account write to the team (§18). */
import { readFile, writeFile } from "node:fs/promises";
import { extname } from "node:path";
import { ClientError, contactPointUrl, type BoteClient } from "@bote/client";
import { encodeBase64url, type ContactPoint } from "@bote/protocol";
import type { Command } from "commander";
import QRCode from "qrcode";
import { cliLanguage, UsageError, type Language } from "../../messages.js";
import { boundedInteger, listOf, optionalText, parseArgument, parseOptions, text } from "../args.js";
import { clientMessages } from "../clientMessages.js";
import { helpTexts } from "../helpTexts.js";
import { memberNames, resolveMembers } from "../resolve.js";
import { withClient } from "../session.js";
import { clientCommand } from "./clientCommand.js";

const QR_TYPES = [".png", ".svg"] as const;

export function registerContactPoint(program: Command): void {
  const contactPoint = program.command("contact-point").description(helpTexts.contactPoint);
  registerCreate(contactPoint);
  registerList(contactPoint);
  registerClose(contactPoint);
}

function registerCreate(parent: Command): void {
  clientCommand(parent, "create", helpTexts.contactPointCreate)
    .requiredOption("--name <name>", helpTexts.contactPointName)
    .requiredOption("--slug <slug>", helpTexts.contactPointSlug)
    .requiredOption("--staff <a,b,…>", helpTexts.contactPointStaff)
    .option("--greeting <text>", helpTexts.contactPointGreeting)
    .option("--hours <text>", helpTexts.contactPointHours)
    .option("--privacy <text>", helpTexts.contactPointPrivacy)
    .option("--privacy-file <file>", helpTexts.contactPointPrivacyFile)
    .option("--require <fields>", helpTexts.contactPointRequire)
    .option("--retention-days <n>", helpTexts.contactPointRetention)
    .option("--qr <file>", helpTexts.contactPointQr)
    .action(async (raw: unknown) => {
      const options = parseOptions(
        raw,
        {
          name: text,
          slug: text,
          staff: text,
          greeting: optionalText,
          hours: optionalText,
          privacy: optionalText,
          privacyFile: optionalText,
          require: listOf("name", "phone", "email", "address"),
          retentionDays: boundedInteger(65_535),
          qr: optionalText,
        },
        (o, t) => {
          if (o.privacy !== undefined && o.privacyFile !== undefined) {
            return t.usage.exclusive("contact-point create", "--privacy", "--privacy-file");
          }
          // Refused before anything is published: a QR code nobody can write is no reason to retract a statement.
          const qrType = o.qr === undefined ? undefined : extname(o.qr).toLowerCase();
          if (qrType !== undefined && !QR_TYPES.some((type) => type === qrType)) {
            return t.usage.oneOf("--qr", QR_TYPES, o.qr ?? "");
          }
          return undefined;
        },
      );
      const privacyText =
        options.privacyFile === undefined ? options.privacy : await readText(options.privacyFile, "--privacy-file");
      await withClient(options, async (client, printer) => {
        const staff = await resolveMembers(client, options.staff);
        const published = await client.createContactPoint({
          name: options.name,
          slug: options.slug,
          staff: staff.map((m) => m.accountId),
          ...(options.greeting === undefined ? {} : { greeting: options.greeting }),
          ...(options.hours === undefined ? {} : { openingHours: options.hours }),
          ...(privacyText === undefined ? {} : { privacyText }),
          requiredFields: options.require,
          ...(options.retentionDays === undefined ? {} : { retentionDays: options.retentionDays }),
        });
        const t = clientMessages(printer.language);
        printer.out(t.contactPointPublished(published.contactPoint.name, published.url), {
          type: "contact_point",
          contactPointId: published.contactPointId,
          slug: published.slug,
          name: published.contactPoint.name,
          url: published.url,
          staff: staff.map((m) => ({ accountId: m.accountId, name: m.displayName })),
        });
        if (options.qr === undefined) return;
        await writeQr(options.qr, published.url);
        printer.out(t.qrWritten(options.qr), { type: "qr", path: options.qr, url: published.url });
      });
    });
}

/** The QR code of a contact point's URL, for print (PNG) or the website and the van's lettering (SVG). */
async function writeQr(path: string, url: string): Promise<void> {
  const qr =
    extname(path).toLowerCase() === ".svg"
      ? await QRCode.toString(url, { type: "svg", margin: 2 })
      : await QRCode.toBuffer(url, { type: "png", width: 600, margin: 2 });
  await writeFile(path, qr);
}

async function readText(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    throw new UsageError(clientMessages(cliLanguage()).usage.invalid(option, path));
  }
}

function registerList(parent: Command): void {
  clientCommand(parent, "list", helpTexts.contactPointList).action(async (raw: unknown) => {
    await withClient(parseOptions(raw, {}), async (client, printer) => {
      const names = await memberNames(client);
      const t = clientMessages(printer.language);
      const points = [...client.organisation.contactPoints.values()].sort((a, b) => a.slug.localeCompare(b.slug));
      if (points.length === 0 && !printer.json) printer.out(t.noContactPoints, {});
      for (const point of points) {
        const url = contactPointUrl(client.profile.serverUrl, point.slug);
        const staff = point.staff.map((id) => {
          const accountId = encodeBase64url(id);
          return { accountId, name: names.get(accountId) ?? accountId };
        });
        printer.out(t.contactPointLine(point.slug, point.name, url, point.open, staff.map((s) => s.name).join(", ")), {
          type: "contact_point",
          contactPointId: encodeBase64url(point.contactPointId),
          slug: point.slug,
          name: point.name,
          url,
          open: point.open,
          staff,
          requiredFields: point.requiredFields,
          retentionDays: point.retentionDays,
        });
      }
    });
  });
}

function registerClose(parent: Command): void {
  clientCommand(parent, "close", helpTexts.contactPointClose)
    .argument("<slug>")
    .action(async (rawSlug: unknown, raw: unknown) => {
      const slug = parseArgument(rawSlug, "<slug>", text);
      const options = parseOptions(raw, {});
      await withClient(options, async (client, printer) => {
        // Reads the log after logging in (syncOrganisation alone does not log in): the statement to close.
        await client.organisationMembers();
        const point = findBySlug(client, slug);
        // The same statement, closed: a newer one replaces it (§18), staff and texts unchanged.
        await client.createContactPoint({
          name: point.name,
          slug: point.slug,
          staff: point.staff.map(encodeBase64url),
          greeting: point.greeting,
          openingHours: point.openingHours,
          privacyText: point.privacyText,
          requiredFields: point.requiredFields,
          retentionDays: point.retentionDays,
          open: false,
        });
        printer.out(clientMessages(printer.language).contactPointClosed(slug), {
          type: "contact_point",
          slug,
          open: false,
        });
      });
    });
}

function findBySlug(client: BoteClient, slug: string): ContactPoint {
  const point = [...client.organisation.contactPoints.values()].find((p) => p.slug === slug);
  if (point === undefined) throw new ContactPointUnknown(slug);
  return point;
}

/** contact_unknown, told as what it is: no contact point by that slug. */
class ContactPointUnknown extends ClientError {
  constructor(private readonly slug: string) {
    super("contact_unknown", slug);
  }

  override text(language: Language): string {
    return clientMessages(language).contactPointUnknown(this.slug);
  }
}
