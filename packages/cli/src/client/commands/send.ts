/** `bote send` and `download`: text and files into a chat, a message's file out of it. */
import { createWriteStream } from "node:fs";
import { rename, stat, unlink } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { randomBytes } from "node:crypto";
import { ClientError, type BoteClient } from "@bote/client";
import type { Command } from "commander";
import { UsageError } from "../../messages.js";
import { flag, messageIdField, optionalText, parseArgument, parseOptions, text, words } from "../args.js";
import { clientMessages, formatSize } from "../clientMessages.js";
import { helpTexts } from "../helpTexts.js";
import { explainRefusal, outgoingFile, type SendChoice } from "../outgoingFile.js";
import { printMessage, type Printer } from "../print.js";
import { resolveTarget } from "../resolve.js";
import { withClient } from "../session.js";
import { clientCommand } from "./clientCommand.js";

export function registerSend(program: Command): void {
  clientCommand(program, "send", helpTexts.send)
    .requiredOption("--to <contact or chat>", helpTexts.sendTo)
    .option("--file <path>", helpTexts.sendFile)
    .option("--as-file", helpTexts.sendAsFile)
    .option("--original", helpTexts.sendOriginal)
    .argument("[text...]")
    .action(async (rawWords: unknown, raw: unknown) => {
      const message = parseArgument(rawWords, "[text...]", words).join(" ").trim();
      const options = parseOptions(
        raw,
        { to: text, file: optionalText, asFile: flag(false), original: flag(false) },
        (o, t) => (message.length === 0 && o.file === undefined ? t.usage.textOrFile : undefined),
      );
      await withClient(options, async (client, printer) => {
        const chat = await resolveTarget(client, options.to);
        const sent =
          options.file === undefined
            ? await client.sendText(chat.conversationId, message)
            : await sendFile(client, printer, chat.conversationId, options.file, message, options);
        if (sent !== undefined) printMessage(printer, sent, chat);
        // Refused for every recipient: exit 1 with a sentence, never a silent "sent".
        if (sent?.status === "failed") throw new ClientError("delivery_failed");
      });
    });
}

export function registerDownload(program: Command): void {
  clientCommand(program, "download", helpTexts.download)
    .argument("<message>")
    .requiredOption("--out <path>")
    // One message id in 64 starts with "-" (base64url); commander would take it for an option. The
    // gate below accepts only the shape of an id, so a mistyped option is still refused.
    .allowUnknownOption()
    .action(async (rawMessageId: unknown, raw: unknown) => {
      const messageId = parseArgument(rawMessageId, "<message>", messageIdField);
      const options = parseOptions(raw, { out: text });
      await withClient(options, async (client, printer) => {
        const out = options.out;
        const size = await client.download(messageId, async (stream) => {
          // Written beside the target and renamed only when the digest matched, so a bad download leaves nothing.
          const partial = `${out}.part-${randomBytes(6).toString("hex")}`;
          try {
            await pipeline(stream, createWriteStream(partial, { mode: 0o600 }));
            await rename(partial, out);
          } catch (err) {
            await unlink(partial).catch(() => undefined);
            throw err;
          }
        });
        printer.out(clientMessages(printer.language).downloaded(out, formatSize(size, printer.language)), {
          type: "downloaded",
          messageId,
          path: out,
          size,
        });
      });
    });
}

async function sendFile(
  client: BoteClient,
  printer: Printer,
  conversationId: string,
  path: string,
  caption: string,
  choice: SendChoice,
) {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error("not a file");
    size = info.size;
  } catch {
    // Whether the file is there is known only now; the gate has checked that --file names one.
    throw new UsageError(clientMessages(printer.language).usage.invalid("--file", path));
  }
  return explainRefusal(path, async () =>
    client.sendFile(conversationId, await outgoingFile(path, size, caption, choice)),
  );
}
