/** `bote inbox export`: an inquiry's text, contact data and original files into a directory, for the quote's file. */
import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { parseArgument, parseOptions, text } from "../args.js";
import { clientMessages } from "../clientMessages.js";
import { helpTexts } from "../helpTexts.js";
import { describeMessage } from "../print.js";
import { withInquiryOf } from "../session.js";
import { clientCommand } from "./clientCommand.js";

/** A file name the customer chose, made safe to write: no directories, no dot files, never empty. */
function safeName(index: number, fileName: string): string {
  const name = basename(fileName.replaceAll("\\", "/")).replace(/^\.+/, "");
  return `${index + 1}-${name === "" ? "file" : name}`;
}

export function registerExport(inbox: Command): void {
  clientCommand(inbox, "export", helpTexts.inboxExport)
    .argument("<inquiry>")
    .requiredOption("--out <dir>")
    .action(async (rawName: unknown, raw: unknown) => {
      const name = parseArgument(rawName, "<inquiry>", text);
      const options = parseOptions(raw, { out: text });
      await withInquiryOf(options, name, async (client, inquiry, printer) => {
        await mkdir(options.out, { recursive: true, mode: 0o700 });
        const carrier = (await client.listMessages(inquiry.conversationId, 500)).find(
          (m) => m.messageId === inquiry.messageId,
        );
        const files = carrier === undefined ? [] : inquiryFiles(describeMessage(carrier));
        const written: string[] = [];
        for (const [index, file] of files.entries()) {
          const path = join(options.out, safeName(index, file.fileName));
          await client.download(
            inquiry.messageId!,
            (stream) => pipeline(stream, createWriteStream(path, { mode: 0o600 })),
            index,
          );
          written.push(path);
        }
        const contact = Object.entries(inquiry.contact).map(([field, value]) => `${field}: ${value}`);
        const summary = [inquiry.text, "", ...contact, "", new Date(inquiry.receivedAt).toISOString(), ""].join("\n");
        await writeFile(join(options.out, "inquiry.txt"), summary, { mode: 0o600 });
        printer.out(clientMessages(printer.language).exported(options.out, written.length), {
          type: "exported",
          conversationId: inquiry.conversationId,
          path: options.out,
          files: written,
        });
      });
    });
}

function inquiryFiles(described: Record<string, unknown>): { fileName: string }[] {
  const inquiry = described.inquiry as { files?: { fileName: string }[] } | undefined;
  return inquiry?.files ?? [];
}
