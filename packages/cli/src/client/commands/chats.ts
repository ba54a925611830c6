/** `bote contacts`, `chats` and `messages`: what this device knows, read from its profile and the server. */
import type { Command } from "commander";
import { flag, parseOptions, positiveInteger, text } from "../args.js";
import { clientMessages } from "../clientMessages.js";
import { helpTexts } from "../helpTexts.js";
import { printMessage } from "../print.js";
import { resolveChat } from "../resolve.js";
import { withClient } from "../session.js";
import { clientCommand } from "./clientCommand.js";

export function registerContacts(program: Command): void {
  clientCommand(program, "contacts", helpTexts.contacts).action(async (raw: unknown) => {
    await withClient(parseOptions(raw, {}), async (client, printer) => {
      const t = clientMessages(printer.language);
      const directory = await client.directory();
      if (directory.length === 0 && !printer.json) printer.out(t.noContacts, {});
      for (const { member, contact } of directory) {
        // The trust in a key is known once a chat showed its credential; the directory alone proves nothing.
        const trust = contact?.devices.at(-1)?.trust ?? "unseen";
        printer.out(`${member.displayName} (${member.role}) — ${t.trust[trust]}`, {
          type: "contact",
          accountId: member.accountId,
          displayName: member.displayName,
          role: member.role,
          trust,
        });
      }
    });
  });
}

export function registerChats(program: Command): void {
  clientCommand(program, "chats", helpTexts.chats).action(async (raw: unknown) => {
    await withClient(parseOptions(raw, {}), async (client, printer) => {
      const t = clientMessages(printer.language);
      const chats = await client.listConversations();
      if (chats.length === 0 && !printer.json) printer.out(t.noChats, {});
      for (const chat of chats) {
        const notes = [chat.unread > 0 ? t.unread(chat.unread) : "", chat.active ? "" : t.inactive].filter(Boolean);
        printer.out(`${chat.name}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`, {
          type: "chat",
          conversationId: chat.conversationId,
          kind: chat.kind,
          name: chat.name,
          unread: chat.unread,
          active: chat.active,
          epoch: chat.epoch,
          disappearingSeconds: chat.disappearingSeconds ?? 0,
        });
      }
    });
  });
}

export function registerMessages(program: Command): void {
  clientCommand(program, "messages", helpTexts.messages)
    .requiredOption("--chat <chat>")
    .option("--limit <n>", helpTexts.messagesLimit, "50")
    .option("--no-mark-read", helpTexts.messagesNoMarkRead)
    .action(async (raw: unknown) => {
      const options = parseOptions(raw, { chat: text, limit: positiveInteger, markRead: flag(true) });
      await withClient(options, async (client, printer) => {
        const chat = await resolveChat(client, options.chat);
        const list = await client.listMessages(chat.conversationId, options.limit);
        if (list.length === 0 && !printer.json) printer.out(clientMessages(printer.language).noMessages, {});
        for (const m of list) printMessage(printer, m, chat);
        // Shown is read, as when a chat is opened: the senders get a read receipt.
        if (options.markRead) await client.markRead(chat.conversationId);
      });
    });
}
