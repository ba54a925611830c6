/** Opening a profile (one device) for a client command, and turning failures into exit codes. */
import { existsSync, mkdirSync } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import {
  BoteClient,
  ClientError,
  joinWithInvitation,
  linkThisDevice,
  openInquiry,
  type GuestOptions,
  type InquirySummary,
  type SentInquiry,
  type SessionCache,
} from "@bote/client";
import { ClientStoreError, type BoteCiphersuiteName } from "@bote/core";
import { SqliteClientStore } from "../profile/SqliteClientStore.js";
import { cliLanguage, type Language } from "../messages.js";
import { nodeTransport } from "./nodeTransport.js";
import { resolveInquiry } from "./resolve.js";
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
  return openSqlite(join(dir, "bote.db"));
}

function openSqlite(file: string): SqliteClientStore {
  try {
    return SqliteClientStore.open(file);
  } catch (err) {
    if (err instanceof ClientStoreError && err.code !== "store_changes_invalid") {
      throw new ClientError(err.code, err.message, { cause: err });
    }
    throw err;
  }
}

/** Deletes the profile's database and session: the keys, chats and messages of this device. */
async function wipeProfile(options: ClientOptions): Promise<void> {
  const dir = profileDir(options);
  await SqliteClientStore.remove(join(dir, "bote.db"));
  await rm(join(dir, "session"), { force: true });
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
    client = await BoteClient.open({
      store,
      transport: nodeTransport,
      sessionCache: fileSessionCache(options),
      // The organisation's policy may ask a deactivated device to delete what it holds.
      wipe: () => wipeProfile(options),
    });
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
  organisationSignKey?: Uint8Array,
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
        ...(organisationSignKey === undefined ? {} : { organisationSignKey }),
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

/** Runs a `bote inbox` command on one inquiry, after a sync so a new one is there to be named. */
export async function withInquiryOf(
  options: ClientOptions,
  name: string,
  run: (client: BoteClient, inquiry: InquirySummary, printer: Printer) => Promise<void>,
): Promise<void> {
  await withClient(options, async (client, printer) => {
    await client.sync();
    await run(client, await resolveInquiry(client, name), printer);
  });
}

/**
 * A customer's inquiries, one SQLite file each in `<profile>/inquiries/<name>.db`, named by the SDK
 * from the return link's secret: a throw-away guest device beside (never inside) a staff profile's
 * bote.db. Only `send` creates one; a link whose file is not here is not this device's inquiry.
 */
async function withGuest<R extends { client: BoteClient }>(
  options: ClientOptions,
  create: boolean,
  open: (guest: GuestOptions) => Promise<R>,
  run: (opened: R, printer: Printer) => Promise<void>,
): Promise<void> {
  const printer = createPrinter(options.json === true, cliLanguage());
  const dir = join(profileDir(options), "inquiries");
  let store: SqliteClientStore | undefined;
  const guest: GuestOptions = {
    transport: nodeTransport,
    openStore(name) {
      const file = join(dir, `${name}.db`);
      if (!create && !existsSync(file)) {
        return Promise.reject(new ClientError("return_link_invalid", "no inquiry stored for this link"));
      }
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      store = openSqlite(file);
      return Promise.resolve(store);
    },
    removeStore: (name) => SqliteClientStore.remove(join(dir, `${name}.db`)),
  };
  let opened: R;
  try {
    opened = await open(guest);
  } catch (err) {
    // openInquiry leaves the store open when it refuses a link (sendInquiry closes and removes its own).
    await store?.close();
    throw err;
  }
  try {
    await run(opened, printer);
  } finally {
    await opened.client.close();
  }
}

/** `bote inquiry send`: a new guest device and store for one inquiry. */
export function withNewInquiry(
  options: ClientOptions,
  send: (guest: GuestOptions) => Promise<SentInquiry>,
  run: (sent: SentInquiry, printer: Printer) => Promise<void>,
): Promise<void> {
  return withGuest(options, true, send, run);
}

/** `bote inquiry show | reply`: the inquiry a return link leads to, from this profile's inquiries. */
export function withInquiry(
  options: ClientOptions,
  returnLink: string,
  run: (opened: { client: BoteClient; conversationId: string }, printer: Printer) => Promise<void>,
): Promise<void> {
  return withGuest(options, false, (guest) => openInquiry(returnLink, guest), run);
}

/** The sentence (and for --json the object) for a failed client command. */
export function describeFailure(error: unknown, language: Language = cliLanguage()): { text: string; code: string } {
  if (error instanceof ClientError) return { text: error.text(language), code: error.code };
  return { text: error instanceof Error ? error.message : String(error), code: "internal" };
}

export { createPrinter };
export type { Printer };
