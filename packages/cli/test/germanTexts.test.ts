/**
 * The bote command speaks to people as the web app does: German with "Sie",
 * never "du". Every German text the command can print is collected from its
 * catalogs, its help and the error registries it shows, and searched for the
 * familiar forms.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Command } from "commander";
import { clientErrorRegistry, type ConversationEvent } from "@bote/client";
import { errorCodes, errorText } from "@bote/protocol";
import { buildProgram } from "../src/cli.js";
import { messages } from "../src/messages.js";
import { clientMessages } from "../src/client/clientMessages.js";
import { helpTexts } from "../src/client/helpTexts.js";

const FAMILIAR = /\b(du|dich|dir|dein\w*|euch|eur(e|er|en|em|es)?)\b/i;

const events: ConversationEvent[] = [
  { type: "created" },
  { type: "joined" },
  { type: "members_added", by: "Anna", members: ["Bernd"] },
  { type: "members_removed", by: "Anna", members: ["Bernd"] },
  { type: "members_removed", by: "Anna", members: [] },
  { type: "device_added", by: "Anna" },
  { type: "renamed", by: "Anna", name: "Nord" },
  { type: "removed", by: "Anna" },
  { type: "left" },
  { type: "undecryptable" },
  { type: "untrusted_sender" },
  { type: "unsupported_content" },
];

/** A sample argument that serves as a text, a list of texts or a count (and is never 1). */
const sample = () => Object.assign(["X"], { valueOf: () => 2 });

/** Every text of a catalog: strings as they are, functions called with samples, and once with 1 first (plurals). */
function texts(value: unknown, path: string): { path: string; text: string }[] {
  if (typeof value === "string") return [{ path, text: value }];
  if (typeof value === "function") {
    const f = value as (...args: unknown[]) => unknown;
    const args = Array.from({ length: f.length }, sample);
    return texts(f(...args), path).concat(texts(f(1, ...args.slice(1)), path));
  }
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, v]) => texts(v, `${path}.${key}`));
  }
  return [];
}

/** The German half of each "Deutsch / English" help line of every command and option. */
function helpLines(command: Command, path: string): { path: string; text: string }[] {
  const own = [command.description(), ...command.options.map((o) => o.description)].map((text) => ({
    path,
    text: text.split(" / ")[0]!,
  }));
  return own.concat(command.commands.flatMap((c) => helpLines(c, `${path} ${c.name()}`)));
}

describe("German texts of the bote command", () => {
  it('say "Sie", never "du", "dich", "dir", "dein" or "euch"', () => {
    const de = clientMessages("de");
    const all = [
      ...texts(messages("de"), "messages"),
      ...texts({ ...de, event: undefined }, "clientMessages"),
      ...events.map((e) => ({ path: `clientMessages.event.${e.type}`, text: de.event(e) })),
      ...Object.entries(helpTexts).map(([key, text]) => ({ path: `helpTexts.${key}`, text: text.split(" / ")[0]! })),
      ...helpLines(buildProgram(), "bote"),
      ...Object.entries(clientErrorRegistry).map(([code, t]) => ({ path: `clientError.${code}`, text: t.de })),
      ...errorCodes.map((code) => ({ path: `error.${code}`, text: errorText(code, "de") })),
    ];
    assert.ok(all.length > 150, `only ${all.length} texts found`);
    const familiar = all.filter(({ text }) => FAMILIAR.test(text)).map(({ path, text }) => `${path}: ${text}`);
    assert.deepEqual(familiar, []);
  });

  it("the own messages in a chat are shown as from “Sie”", () => {
    assert.equal(clientMessages("de").you, "Sie");
    assert.equal(clientMessages("en").you, "You");
  });
});
