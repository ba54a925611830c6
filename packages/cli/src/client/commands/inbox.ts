/**
 * `bote inbox …`: the team inbox of the contact points this account answers (§18). Every command
 * syncs first, and names an inquiry by the short id `bote inbox` prints (or its full id). Status,
 * assignee and notes go to the staff only; replies go to the customer.
 */
import { ClientError } from "@bote/client";
import type { Command } from "commander";
import { flag, oneOf, parseArgument, parseOptions, text, words } from "../args.js";
import { clientMessages } from "../clientMessages.js";
import { helpTexts } from "../helpTexts.js";
import { printMessage } from "../print.js";
import { printInboxLine, printInquiry, STATUS_ARGUMENT, statusOf } from "../printInquiry.js";
import { memberNames, resolveMember } from "../resolve.js";
import { withClient, withInquiryOf } from "../session.js";
import { clientCommand } from "./clientCommand.js";
import { registerExport } from "./inboxExport.js";

export function registerInbox(program: Command): void {
  const inbox = program.command("inbox").description(helpTexts.inbox);
  // `bote inbox` alone lists: a default subcommand, so `inbox reply … --profile` stays the subcommand's option.
  clientCommand(inbox, "list", helpTexts.inboxList, { isDefault: true }).action(async (raw: unknown) => {
    await withClient(parseOptions(raw, {}), async (client, printer) => {
      await client.sync();
      const names = await memberNames(client);
      const list = (await client.inbox()).sort((a, b) => b.receivedAt - a.receivedAt);
      if (list.length === 0 && !printer.json) printer.out(clientMessages(printer.language).noInquiries, {});
      for (const inquiry of list) printInboxLine(printer, inquiry, names);
    });
  });
  registerShow(inbox);
  registerReply(inbox);
  registerAssign(inbox);
  registerStatus(inbox);
  registerNote(inbox);
  registerArchive(inbox);
  registerErase(inbox);
  registerExport(inbox);
}

function registerShow(inbox: Command): void {
  clientCommand(inbox, "show", helpTexts.inboxShow)
    .argument("<inquiry>")
    .action(async (rawName: unknown, raw: unknown) => {
      const name = parseArgument(rawName, "<inquiry>", text);
      await withInquiryOf(parseOptions(raw, {}), name, async (client, inquiry, printer) => {
        const messages = await client.listMessages(inquiry.conversationId, 500);
        const notes = await client.inquiryNotes(inquiry.conversationId);
        printInquiry(printer, inquiry, await memberNames(client), messages, notes);
      });
    });
}

function registerReply(inbox: Command): void {
  clientCommand(inbox, "reply", helpTexts.inboxReply)
    .argument("<inquiry>")
    .argument("<text...>")
    .action(async (rawName: unknown, rawWords: unknown, raw: unknown) => {
      const name = parseArgument(rawName, "<inquiry>", text);
      const message = parseArgument(rawWords, "<text...>", words).join(" ").trim();
      await withInquiryOf(parseOptions(raw, {}), name, async (client, inquiry, printer) => {
        const sent = await client.sendText(inquiry.conversationId, message);
        if (sent !== undefined) printMessage(printer, sent);
        // Refused for every recipient: exit 1 with a sentence, never a silent "sent".
        if (sent?.status === "failed") throw new ClientError("delivery_failed");
      });
    });
}

function registerAssign(inbox: Command): void {
  clientCommand(inbox, "assign", helpTexts.inboxAssign)
    .argument("<inquiry>")
    .argument("<colleague>")
    .action(async (rawName: unknown, rawWho: unknown, raw: unknown) => {
      const name = parseArgument(rawName, "<inquiry>", text);
      const who = parseArgument(rawWho, "<colleague>", text);
      await withInquiryOf(parseOptions(raw, {}), name, async (client, inquiry, printer) => {
        const t = clientMessages(printer.language);
        const assignee =
          who === "nobody"
            ? undefined
            : who === "me"
              ? { accountId: client.profile.accountId, displayName: "" }
              : await resolveMember(client, who);
        await client.assignInquiry(inquiry.conversationId, assignee?.accountId ?? null);
        const shown =
          assignee === undefined
            ? t.nobody
            : ((await memberNames(client)).get(assignee.accountId) ?? assignee.displayName);
        printer.out(t.assignedTo(shown), {
          type: "inquiry_assigned",
          conversationId: inquiry.conversationId,
          assignee: assignee?.accountId ?? null,
          assigneeName: assignee === undefined ? null : shown,
        });
      });
    });
}

function registerStatus(inbox: Command): void {
  clientCommand(inbox, "status", helpTexts.inboxStatus)
    .argument("<inquiry>")
    .argument("<status>")
    .action(async (rawName: unknown, rawStatus: unknown, raw: unknown) => {
      const name = parseArgument(rawName, "<inquiry>", text);
      const status = parseArgument(rawStatus, "<status>", oneOf(...Object.values(STATUS_ARGUMENT)));
      await withInquiryOf(parseOptions(raw, {}), name, async (client, inquiry, printer) => {
        await client.setInquiryStatus(inquiry.conversationId, statusOf(status));
        const t = clientMessages(printer.language);
        printer.out(t.statusSet(t.inquiryStatus[status]), {
          type: "inquiry_status",
          conversationId: inquiry.conversationId,
          status,
        });
      });
    });
}

function registerNote(inbox: Command): void {
  clientCommand(inbox, "note", helpTexts.inboxNote)
    .argument("<inquiry>")
    .argument("<text...>")
    .action(async (rawName: unknown, rawWords: unknown, raw: unknown) => {
      const name = parseArgument(rawName, "<inquiry>", text);
      const note = parseArgument(rawWords, "<text...>", words).join(" ").trim();
      await withInquiryOf(parseOptions(raw, {}), name, async (client, inquiry, printer) => {
        await client.addInquiryNote(inquiry.conversationId, note);
        printer.out(clientMessages(printer.language).noteAdded, {
          type: "note",
          internal: true,
          conversationId: inquiry.conversationId,
          text: note,
        });
      });
    });
}

function registerArchive(inbox: Command): void {
  clientCommand(inbox, "archive", helpTexts.inboxArchive)
    .argument("<inquiry>")
    .argument("<on|off>")
    .action(async (rawName: unknown, rawMark: unknown, raw: unknown) => {
      const name = parseArgument(rawName, "<inquiry>", text);
      const archived = parseArgument(rawMark, "<on|off>", oneOf("on", "off")) === "on";
      await withInquiryOf(parseOptions(raw, {}), name, async (client, inquiry, printer) => {
        await client.archiveInquiry(inquiry.conversationId, archived);
        const t = clientMessages(printer.language);
        printer.out(archived ? t.archived : t.unarchived, {
          type: "inquiry_archived",
          conversationId: inquiry.conversationId,
          archived,
        });
      });
    });
}

/** A customer asked for their data to be erased (Art. 17): gone from the server and every staff device; admins only. */
function registerErase(inbox: Command): void {
  clientCommand(inbox, "erase", helpTexts.inboxErase)
    .argument("<inquiry>")
    .option("--confirm", helpTexts.adminPersonConfirm)
    .action(async (rawName: unknown, raw: unknown) => {
      const name = parseArgument(rawName, "<inquiry>", text);
      const options = parseOptions(raw, { confirm: flag(false) }, (o, t) =>
        o.confirm ? undefined : t.inquiryEraseNeedsConfirm(name),
      );
      await withInquiryOf(options, name, async (client, inquiry, printer) => {
        await client.eraseInquiry(inquiry.conversationId);
        printer.out(clientMessages(printer.language).inquiryErased(inquiry.customerName), {
          type: "inquiry_erased",
          conversationId: inquiry.conversationId,
        });
      });
    });
}
