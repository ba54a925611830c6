/**
 * Versioned server secrets for delivery capabilities. They live in a file
 * beside the database (or one shared by all nodes), never in the database,
 * so a database dump cannot mint or check capabilities.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { CAPABILITY_BYTES, decodeBase64url, encodeBase64url } from "@bote/protocol";
import { ServerSecretsError } from "./ServerSecretsError.js";

const secretsFile = z.strictObject({
  current: z.number().int().min(1).max(255),
  keys: z.record(z.string().regex(/^\d+$/), z.string()),
});

const LABEL = Buffer.from("bote-capability-v1\0");
/** Capabilities remembered as valid; a full set is cleared rather than tracked per use. */
const CHECKED_CAPABILITIES = 16_384;
const KEY_CHECK_LABEL = Buffer.from("bote-key-check-v1\0");

export class ServerSecrets {
  private readonly keys: Map<number, Buffer>;
  private readonly current: number;
  /**
   * Mailbox id and capability, as one latin1 string, of capabilities that
   * checked out. An HMAC per recipient was a tenth of the relay's event loop
   * at saturation. Only a valid capability gets here, so a forged one always
   * costs its HMAC: the timing still says nothing about the mailbox.
   */
  private readonly checked = new Set<string>();

  constructor(current: number, keys: Map<number, Buffer>) {
    if (!keys.has(current)) throw new Error(`secret version ${current} missing`);
    for (const [version, key] of keys) {
      if (version < 1 || version > 255 || key.length < 32) throw new Error(`secret version ${version} is invalid`);
    }
    this.current = current;
    this.keys = keys;
  }

  static generate(): ServerSecrets {
    return new ServerSecrets(1, new Map([[1, randomBytes(32)]]));
  }

  /**
   * Loads the secrets file. A missing file is created (mode 0600) only when
   * `create` is true — for a database that has never been used; otherwise it
   * is an error, since new secrets would break every capability handed out.
   */
  static async load(path: string, options: { create: boolean }): Promise<ServerSecrets> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      if (!options.create) throw new ServerSecretsError("missing", path);
      const secrets = ServerSecrets.generate();
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFile(path, secrets.serialize(), { mode: 0o600, flag: "wx" });
      return secrets;
    }
    return ServerSecrets.parse(text, path);
  }

  /** Loads the secrets file, creating it (mode 0600) if it does not exist. */
  static loadOrCreate(path: string): Promise<ServerSecrets> {
    return ServerSecrets.load(path, { create: true });
  }

  /** Parses a secrets file's text; every fault names the file. */
  static parse(text: string, path: string): ServerSecrets {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ServerSecretsError("unreadable", path, "no JSON");
    }
    const parsed = secretsFile.safeParse(json);
    if (!parsed.success) throw new ServerSecretsError("unreadable", path, parsed.error.issues[0]?.message);
    const keys = new Map<number, Buffer>();
    for (const [version, value] of Object.entries(parsed.data.keys)) {
      const key = decodeBase64url(value);
      if (key === undefined) throw new ServerSecretsError("unreadable", path, `key ${version} is not base64url`);
      keys.set(Number(version), Buffer.from(key));
    }
    try {
      return new ServerSecrets(parsed.data.current, keys);
    } catch (error) {
      throw new ServerSecretsError("unreadable", path, (error as Error).message);
    }
  }

  /** The key versions this file holds. */
  versions(): number[] {
    return [...this.keys.keys()];
  }

  /** The version new capabilities and sealed entries use. */
  currentVersion(): number {
    return this.current;
  }

  /** The raw key of one version, for keys derived from it (AtRestKeys); never stored or logged. */
  key(version: number): Buffer | undefined {
    return this.keys.get(version);
  }

  /**
   * HMAC of a fixed label under one key version, stored in the database so a
   * node can tell whether its secrets belong to it; it reveals nothing of the key.
   */
  keyCheck(version: number): Buffer | undefined {
    const key = this.keys.get(version);
    return key && createHmac("sha256", key).update(KEY_CHECK_LABEL).digest();
  }

  serialize(): string {
    const keys: Record<string, string> = {};
    for (const [version, key] of this.keys) keys[String(version)] = encodeBase64url(key);
    return JSON.stringify({ current: this.current, keys }, null, 2) + "\n";
  }

  /** The delivery capability for a mailbox: key version byte || HMAC-SHA-256(key, label || mailbox id). */
  issueCapability(mailboxId: Uint8Array): Uint8Array {
    const out = new Uint8Array(CAPABILITY_BYTES);
    out[0] = this.current;
    out.set(this.mac(this.keys.get(this.current)!, mailboxId), 1);
    return out;
  }

  /**
   * Checks a capability without any lookup of the mailbox, in time that does
   * not depend on whether the mailbox exists.
   */
  checkCapability(mailboxId: Uint8Array, capability: Uint8Array): boolean {
    if (capability.length !== CAPABILITY_BYTES) return false;
    const remembered = latin1(mailboxId) + latin1(capability);
    if (this.checked.has(remembered)) return true;
    const key = this.keys.get(capability[0]!);
    // An unknown version still costs one HMAC, so the answer's timing says nothing about the versions.
    const expected = this.mac(key ?? this.keys.get(this.current)!, mailboxId);
    const ok = timingSafeEqual(expected, capability.subarray(1)) && key !== undefined;
    if (ok) {
      if (this.checked.size >= CHECKED_CAPABILITIES) this.checked.clear();
      this.checked.add(remembered);
    }
    return ok;
  }

  private mac(key: Buffer, mailboxId: Uint8Array): Buffer {
    return createHmac("sha256", key).update(LABEL).update(mailboxId).digest();
  }
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}
