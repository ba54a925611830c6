/** Opening a profile (one device) for a client command, and turning failures into exit codes. */
import { mkdirSync } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { BoteClient, ClientError, joinWithInvitation, linkThisDevice, type SessionCache } from "@bote/client";
import { ClientStoreError, type BoteCiphersuiteName } from "@bote/core";
import { SqliteClientStore } from "../profile/SqliteClientStore.js";
import { cliLanguage, type Language } from "../messages.js";
import { nodeTransport } from "./nodeTransport.js";
import { createPrinter, type Printer } from "./print.js";

export interface ClientOptions {
  profile?: string | undefined;
  json?: boolean | undefined;
}

export function profileDir(options: ClientOptions, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(options.profile ?? env.BOTE_PROFILE ?? join(homedir(), ".bote"));
}

/**
 * The session token between commands, in `<profile>/session` (0600, like the
 * keys beside it), so a script of many commands does not log in for each.
 */
function fileSessionCache(options: ClientOptions): SessionCache {
  const file = join(profileDir(options), "session");
  return {
    async load() {
      try {
        const value: unknown = JSON.parse(await readFile(file, "utf8"));
        if (typeof value !== "object" || value === null) return undefined;
        const { token, expiresAt } = value as { token?: unknown; expiresAt?: unknown };
        return typeof token === "string" && typeof expiresAt === "number" ? { value: token, expiresAt } : undefined;
      } catch {
        return undefined;
      }
    },
    async save(token) {
      if (token === undefined) return rm(file, { force: true });
      const temp = `${file}.${process.pid}`;
      await writeFile(temp, JSON.stringify({ token: token.value, expiresAt: token.expiresAt }), { mode: 0o600 });
      await rename(temp, file);
    },
  };
}

function openStore(options: ClientOptions): SqliteClientStore {
  const dir = profileDir(options);
  // The profile holds the device's private keys: only its owner may enter.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    return SqliteClientStore.open(join(dir, "bote.db"));
  } catch (err) {
    if (err instanceof ClientStoreError && err.code !== "store_changes_invalid") {
      throw new ClientError(err.code, err.message, { cause: err });
    }
    throw err;
  }
}

/** Runs a command with an opened client; closes it (waiting for background steps) in every case. */
export async function withClient(
  options: ClientOptions,
  run: (client: BoteClient, printer: Printer) => Promise<void>,
): Promise<void> {
  const printer = createPrinter(options.json === true, cliLanguage());
  const store = openStore(options);
  let client: BoteClient;
  try {
    client = await BoteClient.open({ store, transport: nodeTransport, sessionCache: fileSessionCache(options) });
  } catch (err) {
    await store.close();
    throw err;
  }
  try {
    await run(client, printer);
  } finally {
    await client.close();
  }
}

export async function joinProfile(
  options: ClientOptions,
  invitationLink: string,
  displayName: string | undefined,
  ciphersuite?: BoteCiphersuiteName,
): Promise<{ client: BoteClient; printer: Printer }> {
  const printer = createPrinter(options.json === true, cliLanguage());
  const store = openStore(options);
  try {
    return {
      client: await joinWithInvitation({
        store,
        transport: nodeTransport,
        invitationLink,
        ...(displayName === undefined ? {} : { displayName }),
        sessionCache: fileSessionCache(options),
        ...(ciphersuite === undefined ? {} : { ciphersuite }),
      }),
      printer,
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** The new device's side of `bote device join`: like joinProfile, through a link from another device. */
export async function linkProfile(
  options: ClientOptions,
  link: string,
  serverUrl: string | undefined,
  onComparisonCode: (code: string) => void,
): Promise<{ client: BoteClient; printer: Printer }> {
  const printer = createPrinter(options.json === true, cliLanguage());
  const store = openStore(options);
  try {
    return {
      client: await linkThisDevice({
        store,
        transport: nodeTransport,
        link,
        ...(serverUrl === undefined ? {} : { serverUrl }),
        onComparisonCode,
        sessionCache: fileSessionCache(options),
      }),
      printer,
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** The sentence (and for --json the object) for a failed client command. */
export function describeFailure(error: unknown, language: Language = cliLanguage()): { text: string; code: string } {
  if (error instanceof ClientError) return { text: error.text(language), code: error.code };
  return { text: error instanceof Error ? error.message : String(error), code: "internal" };
}

export { createPrinter };
export type { Printer };
