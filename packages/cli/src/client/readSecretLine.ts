/**
 * One line typed at the terminal with its echo off, for a secret such as the recovery kit's
 * passphrase: nothing shows, not even asterisks (they would tell its length). Raw mode also
 * turns off the terminal's own line editing and Ctrl-C, so backspace, Ctrl-U, Ctrl-C and
 * Ctrl-D are done here. The mode is restored on every way out: a shell left without echo
 * looks broken and hides the next commands too.
 */
import { StringDecoder } from "node:string_decoder";
import type { ReadStream } from "node:tty";

/** Ctrl-C at a secret's question; the command ends with 130, as a shell's command ends at SIGINT. */
export class Interrupted extends Error {
  override readonly name = "Interrupted";
}

/** What is used of a terminal's stdin (process.stdin), so a test can hand in its own. */
export type SecretInput = Pick<ReadStream, "isRaw" | "setRawMode" | "on" | "off" | "resume" | "pause" | "unshift">;

const ENTER = 0x0d;
const NEWLINE = 0x0a;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
/** Arrow keys, function keys and Alt+key: sequences that start with ESC, not text. */
// eslint-disable-next-line no-control-regex -- matching the ESC control character is the point
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|O[\s\S]|[\s\S])?/g;

/**
 * Asks `question` on `output` and resolves with the line once Enter is pressed, without its end;
 * undefined at the end of the input (Ctrl-D on an empty line). Keys typed after Enter stay in
 * `input` for the next read.
 */
export function readSecretLine(
  question: string,
  input: SecretInput,
  output: { write(text: string): unknown },
): Promise<string | undefined> {
  const wasRaw = input.isRaw;
  const decoder = new StringDecoder("utf8");
  let typed = "";
  const edit = (keys: string) => {
    for (const key of keys.replace(ESCAPE_SEQUENCE, "")) {
      if (key === "\x7f" || key === "\b") typed = typed.replace(/.$/su, "");
      else if (key === "\x15") typed = "";
      else if (key >= " ") typed += key;
      // Other control keys (Tab, Ctrl-L, …) would put invisible characters into a secret: ignored.
    }
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      input.off("data", onData);
      input.off("end", onEnd);
      input.off("error", onError);
      try {
        input.setRawMode(wasRaw);
      } finally {
        input.pause();
        // Enter itself was not echoed either: the next output starts on a line of its own.
        output.write("\n");
        outcome();
      }
    };
    const onEnd = () => finish(() => resolve(undefined));
    const onError = (error: Error) => finish(() => reject(error));
    const onData = (chunk: Buffer | string) => {
      try {
        const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        // UTF-8 never uses these byte values inside a character, so the bytes can be cut at them.
        for (let start = 0, at = 0; at < bytes.length; at++) {
          const byte = bytes[at];
          if (byte !== ENTER && byte !== NEWLINE && byte !== CTRL_C && byte !== CTRL_D) {
            if (at === bytes.length - 1) edit(decoder.write(bytes.subarray(start)));
            continue;
          }
          edit(decoder.write(bytes.subarray(start, at)) + (byte === CTRL_D ? "" : decoder.end()));
          start = at + 1;
          if (byte === CTRL_D) {
            if (typed === "") return finish(() => resolve(undefined));
            continue; // as a terminal does: Ctrl-D ends the input only on an empty line
          }
          if (byte === CTRL_C) return finish(() => reject(new Interrupted()));
          // Enter sends CR; a pasted CR LF is one line end, not an empty second line.
          const rest = bytes.subarray(byte === ENTER && bytes[at + 1] === NEWLINE ? at + 2 : at + 1);
          // Given back only once this listener is gone: unshift into a flowing stream emits at once.
          return finish(() => {
            if (rest.length > 0) input.unshift(rest);
            resolve(typed);
          });
        }
      } catch (error) {
        finish(() => reject(error instanceof Error ? error : new Error(String(error))));
      }
    };
    try {
      input.on("data", onData);
      input.on("end", onEnd);
      input.on("error", onError);
      input.setRawMode(true);
      // Asked only now: keys typed as soon as the question shows must find the echo off already.
      output.write(question);
      input.resume();
    } catch (error) {
      finish(() => reject(error instanceof Error ? error : new Error(String(error))));
    }
  });
}
