/** The client commands' argument gate without a process: rules, messages and typed results. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../src/messages.js";
import {
  flag,
  oneOf,
  optionalText,
  parseArgument,
  parseOptions,
  positiveInteger,
  text,
  words,
} from "../src/client/args.js";

const refusal = (message: string) => (error: unknown) => error instanceof UsageError && error.message === message;

describe("the argument gate", () => {
  it("returns typed options with the common ones filled in", () => {
    const options = parseOptions(
      { chat: "Baustelle", limit: "20", markRead: false },
      {
        chat: text,
        limit: positiveInteger,
        markRead: flag(true),
      },
    );
    assert.deepEqual(options, { profile: undefined, json: false, chat: "Baustelle", limit: 20, markRead: false });
    assert.equal(parseOptions({ profile: "/p", json: true }, {}).profile, "/p");
  });

  it("refuses a limit that is not a positive whole number, naming the option", () => {
    for (const limit of ["0", "-1", "2.5", "abc", ""]) {
      assert.throws(() => parseOptions({ limit }, { limit: positiveInteger }), refusal(`--limit: ${limit}`));
    }
  });

  it("takes a role from its closed set only", () => {
    assert.equal(parseOptions({ role: "admin" }, { role: oneOf("member", "admin") }).role, "admin");
    assert.throws(
      () => parseOptions({ role: "chef" }, { role: oneOf("member", "admin") }),
      refusal("--role: member | admin (chef)"),
    );
  });

  it("applies a rule between options", () => {
    const shape = { confirm: flag(false), acceptUnverified: flag(false) };
    const both = { confirm: true, acceptUnverified: true };
    assert.throws(
      () =>
        parseOptions(both, shape, (o, t) =>
          o.confirm && o.acceptUnverified ? t.usage.exclusive("verify", "--confirm", "--accept-unverified") : undefined,
        ),
      refusal("verify: --confirm | --accept-unverified"),
    );
  });

  it("treats an option without a rule as a mistake in the declaration, not a usage error", () => {
    assert.throws(
      () => parseOptions({ postQuantum: true }, { file: optionalText }),
      (error: unknown) => !(error instanceof UsageError) && /--post-quantum/.test(String(error)),
    );
  });

  it("reads positional arguments", () => {
    assert.deepEqual(parseArgument(["Hallo", "Bernd"], "[text...]", words), ["Hallo", "Bernd"]);
    assert.throws(() => parseArgument(undefined, "<contact>", text), refusal("<contact>: undefined"));
  });
});
