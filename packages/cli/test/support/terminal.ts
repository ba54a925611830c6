/**
 * A `bote` command on a pseudo-terminal, as a person at a keyboard runs it: util-linux `script`
 * gives it a pty (Node has none of its own) with the terminal's echo on, so whatever is typed
 * shows on the screen unless the command turns the echo off. The screen is the pty's output:
 * the command's stdout and stderr and that echo, as the person would see them.
 */
import { spawn } from "node:child_process";
import { bin } from "./processes.js";

export interface Terminal {
  /** Everything shown so far. */
  screen(): string;
  /** Waits until `text` shows after what earlier calls waited for, as `expect` does; fails if the command ends first. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Keys as the terminal sends them: Enter is "\r", Ctrl-C "\x03". */
  type(keys: string): void;
  /** The command's exit code. */
  readonly exited: Promise<number | null>;
}

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

export function boteInTerminal(args: readonly string[], lang = "de_DE.UTF-8"): Terminal {
  const command = [process.execPath, bin, ...args].map(quote).join(" ");
  // --echo always: the pty echoes as a real terminal does, though this process's stdin is a pipe.
  const child = spawn(
    "script",
    ["--quiet", "--flush", "--return", "--echo", "always", "--command", command, "/dev/null"],
    {
      env: { ...process.env, LANG: lang, LC_ALL: "", BOTE_PROFILE: "", TERM: "xterm" },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let shown = "";
  let seen = 0;
  let ended = false;
  const changed = new Set<() => void>();
  const update = () => changed.forEach((f) => f());
  // Decoded per stream, so a character split between two chunks stays whole.
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      shown += chunk;
      update();
    });
  }
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      ended = true;
      update();
      resolve(code);
    }),
  );
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  void exited.then(() => clearTimeout(timer));
  return {
    screen: () => shown,
    type: (keys) => child.stdin.write(keys),
    exited,
    waitFor: (text, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          const rest = shown.slice(seen);
          const at = typeof text === "string" ? rest.indexOf(text) : rest.search(text);
          if (at >= 0) {
            const length = typeof text === "string" ? text.length : (text.exec(rest)?.[0].length ?? 0);
            seen += at + length;
            done();
            resolve();
          } else if (ended) {
            done();
            reject(new Error(`the command ended before ${String(text)} showed; the screen:\n${shown}`));
          }
        };
        const limit = setTimeout(() => {
          done();
          reject(new Error(`${String(text)} did not show within ${timeoutMs} ms; the screen:\n${shown}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(limit);
          changed.delete(check);
        };
        changed.add(check);
        check();
      }),
  };
}
