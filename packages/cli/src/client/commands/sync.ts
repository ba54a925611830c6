/** `bote sync` and `listen`: new messages, once or as they arrive. */
import { once } from "node:events";
import type { BoteClient } from "@bote/client";
import type { Command } from "commander";
import { parseOptions } from "../args.js";
import { clientMessages } from "../clientMessages.js";
import { helpTexts } from "../helpTexts.js";
import { printMessage, type Printer } from "../print.js";
import { withClient } from "../session.js";
import { clientCommand } from "./clientCommand.js";

export function registerSync(program: Command): void {
  clientCommand(program, "sync", helpTexts.sync).action(async (raw: unknown) => {
    await withClient(parseOptions(raw, {}), async (client, printer) => {
      const warnings = watchKeyChanges(client, printer);
      const arrived = await client.sync();
      warnings();
      // A person who ran sync learns that it worked; scripts read no line for no message.
      if (arrived.length === 0 && !printer.json) printer.out(clientMessages(printer.language).nothingNew, {});
      for (const m of arrived) printMessage(printer, m, await client.store.getConversation(m.conversationId));
    });
  });
}

export function registerListen(program: Command): void {
  clientCommand(program, "listen", helpTexts.listen).action(async (raw: unknown) => {
    await withClient(parseOptions(raw, {}), async (client, printer) => {
      if (!printer.json) process.stderr.write(`${clientMessages(printer.language).listening}\n`);
      const stopWarnings = watchKeyChanges(client, printer);
      const off = client.on("message", (m) => {
        if (m.direction !== "in") return;
        void client.store.getConversation(m.conversationId).then((chat) => printMessage(printer, m, chat));
      });
      await client.connect();
      await Promise.race([once(process, "SIGINT"), once(process, "SIGTERM")]);
      off();
      stopWarnings();
    });
  });
}

/** Says so whenever a known contact shows a key not seen before: it is never taken over silently. */
function watchKeyChanges(client: BoteClient, printer: Printer): () => void {
  return client.on("contact", ({ contact, newDevice }) => {
    if (!newDevice) return;
    const text = clientMessages(printer.language).newDeviceWarning(contact.displayName);
    if (printer.json) printer.out(text, { type: "key_changed", accountId: contact.accountId });
    else process.stderr.write(`${text}\n`);
  });
}
