/**
 * readSecretLine's keys, on a stream that stands in for a terminal: the line editing raw mode
 * takes from the terminal (backspace, Ctrl-U, Ctrl-C, Ctrl-D), text split mid-character, keys
 * typed ahead kept for the next read, and the terminal's mode restored on every way out.
 * setupPassphrase.test.ts runs it on a real pseudo-terminal.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { Interrupted, readSecretLine, type SecretInput } from "../src/client/readSecretLine.js";

/** A stream that records the raw modes it is put in, and everything written to the "screen". */
function fakeTerminal() {
  const modes: boolean[] = [];
  const steps: string[] = [];
  const stream = new PassThrough();
  stream.pause();
  const input = Object.assign(stream, {
    isRaw: false,
    setRawMode(raw: boolean) {
      modes.push(raw);
      steps.push(raw ? "echo off" : "echo on");
      input.isRaw = raw;
      return input;
    },
  });
  let screen = "";
  const output = {
    write: (text: string) => {
      steps.push(JSON.stringify(text));
      screen += text;
    },
  };
  return { input: input as unknown as SecretInput & PassThrough, modes, steps, output, screen: () => screen };
}

describe("readSecretLine", () => {
  it("asks with the echo off already, returns the line at Enter, shows only a newline and restores the mode", async () => {
    const t = fakeTerminal();
    const line = readSecretLine("Passphrase: ", t.input, t.output);
    t.input.write("geheim-");
    t.input.write("passwort\r");
    assert.equal(await line, "geheim-passwort");
    assert.equal(t.screen(), "Passphrase: \n");
    assert.deepEqual(t.steps, ["echo off", '"Passphrase: "', "echo on", '"\\n"']);
    assert.equal(t.input.listenerCount("data"), 0);
    assert.ok(t.input.isPaused());
  });

  it("edits with backspace (whole characters) and Ctrl-U, and ignores arrow keys and other controls", async () => {
    const t = fakeTerminal();
    const line = readSecretLine("Passphrase: ", t.input, t.output);
    t.input.write("falsch\x15Grüße😀\x7f\x7fe\x1b[D\x1b[A\tX\x08!\r");
    assert.equal(await line, "Grüße!");
  });

  it("keeps a character whole that arrives in two chunks", async () => {
    const t = fakeTerminal();
    const line = readSecretLine("Passphrase: ", t.input, t.output);
    const bytes = Buffer.from("Bär\r");
    t.input.write(bytes.subarray(0, 2));
    t.input.write(bytes.subarray(2));
    assert.equal(await line, "Bär");
  });

  it("leaves what was typed after Enter for the next read, CR LF counting as one line end", async () => {
    const t = fakeTerminal();
    const first = readSecretLine("Passphrase: ", t.input, t.output);
    t.input.write("eins\r\nzwei\r");
    assert.equal(await first, "eins");
    assert.equal(await readSecretLine("Passphrase: ", t.input, t.output), "zwei");
    assert.deepEqual(t.modes, [true, false, true, false]);
  });

  it("rejects with Interrupted at Ctrl-C, the mode restored", async () => {
    const t = fakeTerminal();
    const line = readSecretLine("Passphrase: ", t.input, t.output);
    t.input.write("halb\x03rest\r");
    await assert.rejects(line, Interrupted);
    assert.deepEqual(t.modes, [true, false]);
    assert.equal(t.input.listenerCount("data"), 0);
  });

  it("ends at Ctrl-D on an empty line only, and at the end of the input", async () => {
    const t = fakeTerminal();
    const empty = readSecretLine("Passphrase: ", t.input, t.output);
    t.input.write("\x04");
    assert.equal(await empty, undefined);
    const typed = readSecretLine("Passphrase: ", t.input, t.output);
    t.input.write("abc\x04def\r");
    assert.equal(await typed, "abcdef");
    const ended = readSecretLine("Passphrase: ", t.input, t.output);
    t.input.end();
    assert.equal(await ended, undefined);
    assert.deepEqual(t.modes, [true, false, true, false, true, false]);
  });

  it("restores the mode when the terminal fails", async () => {
    const t = fakeTerminal();
    const line = readSecretLine("Passphrase: ", t.input, t.output);
    t.input.destroy(new Error("EIO"));
    await assert.rejects(line, /EIO/);
    assert.deepEqual(t.modes, [true, false]);
  });
});
