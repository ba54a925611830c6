/**
 * The server's VAPID key pair (RFC 8292): it signs every push, and browsers
 * bind their subscriptions to its public half. Made at the first start and
 * kept in a file beside the database (mode 0600), never in the database:
 * a dump must not let anyone push to the subscriptions it lists. The
 * database keeps the public key only, so a second node started without the
 * file refuses instead of signing with a key no subscription knows.
 */
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import webPush from "web-push";
import { z } from "zod";
import { decodeBase64url } from "@bote/protocol";
import type { ServerStore } from "../store/ServerStore.js";

const vapidFile = z.strictObject({ publicKey: z.string(), privateKey: z.string() });
const META_KEY = "vapid-public-key";
/** The file's name in the data directory. */
export const VAPID_KEYS_FILE = "vapid-keys.json";

export class VapidKeys {
  private constructor(
    /** base64url, 65 bytes (uncompressed P-256 point). */
    readonly publicKey: string,
    /** base64url, 32 bytes. */
    readonly privateKey: string,
  ) {}

  static generate(): VapidKeys {
    const keys = webPush.generateVAPIDKeys();
    return new VapidKeys(keys.publicKey, keys.privateKey);
  }

  static parse(text: string, file: string): VapidKeys {
    let parsed;
    try {
      parsed = vapidFile.safeParse(JSON.parse(text));
    } catch {
      throw new VapidKeysError("unreadable", file);
    }
    if (!parsed.success) throw new VapidKeysError("unreadable", file);
    const { publicKey, privateKey } = parsed.data;
    if (decodeBase64url(publicKey)?.length !== 65 || decodeBase64url(privateKey)?.length !== 32) {
      throw new VapidKeysError("unreadable", file);
    }
    return new VapidKeys(publicKey, privateKey);
  }

  serialize(): string {
    return JSON.stringify({ publicKey: this.publicKey, privateKey: this.privateKey }, null, 2) + "\n";
  }
}

export type VapidKeysProblem = "missing" | "unreadable" | "mismatch";

/** Printed by `bote serve` in both languages, naming the file and what to do. */
export class VapidKeysError extends Error {
  constructor(
    readonly problem: VapidKeysProblem,
    readonly file: string,
  ) {
    super(describe(problem, file));
    this.name = "VapidKeysError";
  }
}

function describe(problem: VapidKeysProblem, file: string): string {
  const fix =
    "Kopieren Sie die Datei von einem Knoten, der schon läuft, oder stellen Sie sie aus der Sicherung wieder her.\n" +
    "Copy the file from a node that already runs, or restore it from the backup.";
  switch (problem) {
    case "missing":
      return (
        `Der VAPID-Schlüssel ${file} fehlt, aber die Datenbank kennt schon einen; mit einem neuen bekäme kein Gerät mehr Push-Mitteilungen.\n` +
        `The VAPID key ${file} is missing, but the database knows one already; with a new one no device would get push notifications any more.\n` +
        fix
      );
    case "unreadable":
      return `Der VAPID-Schlüssel ${file} ist beschädigt.\nThe VAPID key ${file} is damaged.\n${fix}`;
    case "mismatch":
      return (
        `Der VAPID-Schlüssel ${file} gehört nicht zu dieser Datenbank.\nThe VAPID key ${file} does not belong to this database.\n` +
        fix
      );
    default: {
      const never: never = problem;
      throw new Error(`unknown problem ${String(never)}`);
    }
  }
}

/** Loads the key file, making it (0600) when neither it nor the database has a key yet. */
export async function openVapidKeys(store: ServerStore, file: string): Promise<VapidKeys> {
  const known = (await store.listServerMeta()).get(META_KEY);
  let keys: VapidKeys;
  try {
    keys = VapidKeys.parse(await readFile(file, "utf8"), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    if (known !== undefined) throw new VapidKeysError("missing", file);
    keys = VapidKeys.generate();
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    // "wx": of two nodes making it at once on a shared directory, one fails rather than overwrite.
    await writeFile(file, keys.serialize(), { mode: 0o600, flag: "wx" });
  }
  const mine = Buffer.from(decodeBase64url(keys.publicKey)!);
  await store.putServerMetaIfAbsent(META_KEY, mine);
  const stored = (await store.listServerMeta()).get(META_KEY);
  if (stored === undefined || !Buffer.from(stored).equals(mine)) throw new VapidKeysError("mismatch", file);
  return keys;
}
