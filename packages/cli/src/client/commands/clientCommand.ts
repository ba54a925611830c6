/** A client command with the options every one of them has: which profile, and --json. */
import type { Command } from "commander";
import { helpTexts } from "../helpTexts.js";

export function clientCommand(
  parent: Command,
  name: string,
  description: string,
  options: { isDefault?: boolean } = {},
): Command {
  return parent
    .command(name, options)
    .description(description)
    .option("--profile <dir>", helpTexts.profile)
    .option("--json", helpTexts.json);
}

/** For a repeatable option (`--photo a.jpg --photo b.jpg`): commander hands each value here, the gate reads the list. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
