/** A client command with the options every one of them has: which profile, and --json. */
import type { Command } from "commander";
import { helpTexts } from "../helpTexts.js";

export function clientCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .option("--profile <dir>", helpTexts.profile)
    .option("--json", helpTexts.json);
}
