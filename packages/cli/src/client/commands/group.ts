/** `bote group create | add | remove | rename | leave`. */
import type { BoteClient } from "@bote/client";
import type { Command } from "commander";
import { parseOptions, text } from "../args.js";
import { clientMessages } from "../clientMessages.js";
import { helpTexts } from "../helpTexts.js";
import type { Printer } from "../print.js";
import { resolveAccounts, resolveChat } from "../resolve.js";
import { withClient } from "../session.js";
import { clientCommand } from "./clientCommand.js";

export function registerGroup(program: Command): void {
  const group = program.command("group").description(helpTexts.group);
  registerCreate(group);
  registerMemberChange(group, "add");
  registerMemberChange(group, "remove");
  registerRename(group);
  registerLeave(group);
}

function registerCreate(group: Command): void {
  clientCommand(group, "create", helpTexts.groupCreate)
    .requiredOption("--name <name>")
    .requiredOption("--members <a,b,…>")
    .action(async (raw: unknown) => {
      const options = parseOptions(raw, { name: text, members: text });
      await withClient(options, async (client, printer) => {
        const members = await resolveAccounts(client, options.members);
        const chat = await client.createGroup(
          options.name,
          members.map((m) => m.accountId),
        );
        printer.out(clientMessages(printer.language).groupCreated(chat.name), {
          type: "chat",
          conversationId: chat.conversationId,
          name: chat.name,
          epoch: chat.epoch,
        });
      });
    });
}

function registerMemberChange(group: Command, change: "add" | "remove"): void {
  clientCommand(group, change, change === "add" ? helpTexts.groupAdd : helpTexts.groupRemove)
    .requiredOption("--chat <group>")
    .requiredOption("--members <a,b,…>")
    .action(async (raw: unknown) => {
      const options = parseOptions(raw, { chat: text, members: text });
      await withClient(options, (client, printer) => changeMembers(client, printer, change, options));
    });
}

async function changeMembers(
  client: BoteClient,
  printer: Printer,
  change: "add" | "remove",
  options: { chat: string; members: string },
): Promise<void> {
  const chat = await resolveChat(client, options.chat);
  const members = await resolveAccounts(client, options.members);
  const accountIds = members.map((m) => m.accountId);
  const names = members.map((m) => m.displayName);
  const after =
    change === "add"
      ? await client.addMembers(chat.conversationId, accountIds, names)
      : await client.removeMembers(chat.conversationId, accountIds);
  const t = clientMessages(printer.language);
  printer.out((change === "add" ? t.membersAdded : t.membersRemoved)(names.join(", ")), {
    type: "chat",
    conversationId: after.conversationId,
    epoch: after.epoch,
  });
}

function registerRename(group: Command): void {
  clientCommand(group, "rename", helpTexts.groupRename)
    .requiredOption("--chat <group>")
    .requiredOption("--name <name>")
    .action(async (raw: unknown) => {
      const options = parseOptions(raw, { chat: text, name: text });
      await withClient(options, async (client, printer) => {
        const chat = await resolveChat(client, options.chat);
        const after = await client.rename(chat.conversationId, options.name);
        printer.out(clientMessages(printer.language).renamedTo(after.name), {
          type: "chat",
          conversationId: after.conversationId,
          name: after.name,
          epoch: after.epoch,
        });
      });
    });
}

function registerLeave(group: Command): void {
  clientCommand(group, "leave", helpTexts.groupLeave)
    .requiredOption("--chat <group>")
    .action(async (raw: unknown) => {
      const options = parseOptions(raw, { chat: text });
      await withClient(options, async (client, printer) => {
        const chat = await resolveChat(client, options.chat);
        await client.leave(chat.conversationId);
        printer.out(clientMessages(printer.language).left, { type: "left", conversationId: chat.conversationId });
      });
    });
}
