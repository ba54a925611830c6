/** Two people with real data on a real server, for the operations tests (backup, restore, migrate-store). */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join as joinPath } from "node:path";
import { Readable } from "node:stream";
import type { BoteClient } from "@bote/client";
import type { MessageRecord } from "@bote/core";
import { decodeContent } from "@bote/protocol";
import { runCli } from "../../src/cli.js";
import { eventually, joinClient } from "./sdkClient.js";

export interface Pair {
  anna: BoteClient;
  bernd: BoteClient;
  chat: string;
}

/** Anna redeems the first invitation, invites Bernd and opens a chat with him; Bernd stays offline. */
export async function joinPair(root: string, dataDir: string): Promise<Pair> {
  const link = (await readFile(joinPath(dataDir, "initial-admin-invite"), "utf8")).trim();
  const anna = await joinClient(root, "Anna", link);
  const bernd = await joinClient(root, "Bernd", (await anna.createInvitation("member", "Bernd")).url);
  const chat = (await anna.directChat(bernd.profile.accountId)).conversationId;
  return { anna, bernd, chat };
}

/** A file of `size` random bytes, sent as an attachment; resolves with its bytes. */
export async function sendRandomFile(pair: Pair, size: number, caption: string): Promise<Buffer> {
  const bytes = randomBytes(size);
  const sent = await pair.anna.sendFile(pair.chat, {
    stream: Readable.from([bytes]),
    size,
    fileName: "plan.pdf",
    mediaType: "application/pdf",
    caption,
  });
  if (sent?.status !== "sent") throw new Error(`the file was not sent: ${sent?.status}`);
  return bytes;
}

/** A text that the server has stored for Bernd when this resolves. */
export async function sendText(pair: Pair, text: string): Promise<void> {
  const sent = await pair.anna.sendText(pair.chat, text);
  if (sent?.status !== "sent") throw new Error(`the text was not sent: ${sent?.status}`);
}

/** A text's text, or a file's caption. */
export function line(message: MessageRecord): string {
  const body = decodeContent(message.body).body;
  if (body.case === "text") return body.value.text;
  return body.case === "attachment" ? body.value.caption : "";
}

/** Bernd's incoming texts and captions once `expected` are all among them. */
export async function berndReceives(pair: Pair, expected: readonly string[]): Promise<MessageRecord[]> {
  const incoming = async () =>
    (await pair.bernd.listMessages(pair.chat)).filter((m) => m.direction === "in" && m.kind === "content");
  return eventually(pair.bernd, incoming, (messages) => {
    const seen = new Set(messages.map(line));
    return expected.every((text) => seen.has(text));
  });
}

/** The decrypted bytes of an attachment Bernd received: the blob came through the server's blob store. */
export async function downloaded(pair: Pair, message: MessageRecord): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  await pair.bernd.download(message.messageId, async (file) => {
    for await (const part of file) parts.push(part);
  });
  return Buffer.concat(parts);
}

/**
 * `bote …` in this process, for the commands on the server's data: the same
 * parser, messages and exit codes as the bin, without a second of process
 * start per call. stdout and stderr are what console.log and console.error got.
 */
export async function boteHere(
  argv: readonly string[],
  lang = "de_DE.UTF-8",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = { LANG: process.env.LANG, LC_ALL: process.env.LC_ALL, LC_MESSAGES: process.env.LC_MESSAGES };
  const { log, error } = console;
  let stdout = "";
  let stderr = "";
  process.env.LANG = lang;
  delete process.env.LC_ALL;
  delete process.env.LC_MESSAGES;
  console.log = (...parts: unknown[]) => (stdout += `${parts.join(" ")}\n`);
  console.error = (...parts: unknown[]) => (stderr += `${parts.join(" ")}\n`);
  try {
    return { code: await runCli([...argv]), stdout, stderr };
  } finally {
    console.log = log;
    console.error = error;
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
