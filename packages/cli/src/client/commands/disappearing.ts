/** `bote disappearing --chat <chat> [--set off|1h|1d|1w|4w|<seconds>s]`: shows or sets a chat's timer. */
import type { Command } from "commander";
import { UsageError } from "../../messages.js";
import { optionalText, parseOptions, text, type Field } from "../args.js";
import { clientMessages } from "../clientMessages.js";
import { helpTexts } from "../helpTexts.js";
import { resolveChat } from "../resolve.js";
import { withClient } from "../session.js";
import { clientCommand } from "./clientCommand.js";

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

/** "off", or a whole number with a unit (s, m, h, d, w): 1h, 1d, 1w, 4w, 30s. */
const duration: Field<number | undefined> = (value, name, t) => {
  const given = optionalText(value, name, t);
  if (given === undefined) return undefined;
  if (given === "off" || given === "aus" || given === "0") return 0;
  const match = /^(\d{1,8})([smhdw])$/.exec(given);
  const unit = match?.[2] === undefined ? undefined : UNITS[match[2]];
  if (match === null || unit === undefined) throw new UsageError(t.usage.invalid(name, given));
  return Number(match[1]) * unit;
};

export function registerDisappearing(program: Command): void {
  clientCommand(program, "disappearing", helpTexts.disappearing)
    .requiredOption("--chat <chat>")
    .option("--set <time>", helpTexts.disappearingSet)
    .action(async (raw: unknown) => {
      const options = parseOptions(raw, { chat: text, set: duration });
      await withClient(options, async (client, printer) => {
        const t = clientMessages(printer.language);
        let chat = await resolveChat(client, options.chat);
        if (options.set !== undefined) {
          await client.setDisappearingTimer(chat.conversationId, options.set);
          chat = (await client.store.getConversation(chat.conversationId)) ?? chat;
        }
        const seconds = chat.disappearingSeconds ?? 0;
        printer.out(t.disappearingShown(chat.name, seconds), {
          type: "disappearing",
          conversationId: chat.conversationId,
          name: chat.name,
          seconds,
        });
      });
    });
}
