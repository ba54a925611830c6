/**
 * Keys that make the stored queue say nothing without the secrets file:
 * every queue entry is sealed for its one recipient mailbox, and the ids a
 * send or a group is recognised by are keyed hashes. A dump of the database
 * alone therefore cannot tell which entries were one message, nor name a
 * group (docs/THREAT-MODEL.md, "At rest").
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomFillSync, type Cipher } from "node:crypto";
import { ID_BYTES } from "@bote/protocol";
import type { ServerSecrets } from "./ServerSecrets.js";

const ENTRY_SALT = Buffer.from("bote-entry-v1");
const SEND_LABEL = Buffer.from("bote-send-v1\0");
const GROUP_LABEL = Buffer.from("bote-group-v1\0");
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Version byte, nonce, tag. */
export const SEAL_OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;
/** Derived mailbox keys kept; a full cache is cleared rather than tracked per use. */
const KEY_CACHE_SIZE = 50_000;
/** Nonces are cut from one random buffer: one getrandom call per many entries. */
const NONCE_POOL = 4096 * NONCE_BYTES;

export class AtRestKeys {
  private readonly entryKeys = new Map<string, Buffer>();
  private readonly nonces = Buffer.alloc(NONCE_POOL);
  private nonceAt = NONCE_POOL;
  /** Keyed ids use the oldest key, so rotating the current one keeps the commit guard and dedupe. */
  private readonly idKey: Buffer;
  /**
   * A message id is one AES block: enciphered under a key of its own it is a
   * keyed permutation, as unlinkable as an HMAC and without a new cipher
   * object per send (ECB over single blocks keeps no state between them).
   */
  private readonly sendKeyCipher: Cipher;

  constructor(private readonly secrets: ServerSecrets) {
    this.idKey = secrets.key(Math.min(...secrets.versions()))!;
    const sendKeyKey = createHmac("sha256", this.idKey).update(SEND_LABEL).digest();
    this.sendKeyCipher = createCipheriv("aes-256-ecb", sendKeyKey, null).setAutoPadding(false);
  }

  /** AES-256-GCM under a key of this mailbox alone; the mailbox id is the associated data. */
  sealEntry(mailboxId: Uint8Array, payload: Uint8Array): Buffer {
    const version = this.secrets.currentVersion();
    const nonce = this.nextNonce();
    const cipher = createCipheriv("aes-256-gcm", this.entryKey(version, mailboxId)!, nonce);
    cipher.setAAD(mailboxId);
    const out = Buffer.allocUnsafe(SEAL_OVERHEAD + payload.length);
    out[0] = version;
    nonce.copy(out, 1);
    cipher.update(payload).copy(out, 1 + NONCE_BYTES);
    cipher.final();
    cipher.getAuthTag().copy(out, 1 + NONCE_BYTES + payload.length);
    return out;
  }

  /** The payload, or undefined when the entry was not sealed for this mailbox under a key of this file. */
  openEntry(mailboxId: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
    if (sealed.length < SEAL_OVERHEAD) return undefined;
    const key = this.entryKey(sealed[0]!, mailboxId);
    if (key === undefined) return undefined;
    const body = sealed.subarray(1 + NONCE_BYTES, sealed.length - TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", key, sealed.subarray(1, 1 + NONCE_BYTES));
    decipher.setAAD(mailboxId);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      const out = decipher.update(body);
      decipher.final();
      return out;
    } catch {
      return undefined;
    }
  }

  /** What a send's message id is deduplicated by: 16 bytes that name no mailbox and cannot be reversed without the secrets. */
  sendKey(messageId: Uint8Array): Buffer {
    if (messageId.length !== ID_BYTES) throw new Error(`a message id has ${ID_BYTES} bytes`);
    return this.sendKeyCipher.update(messageId);
  }

  /** What the commit guard knows a group by. */
  groupKey(groupId: Uint8Array): Buffer {
    return createHmac("sha256", this.idKey).update(GROUP_LABEL).update(groupId).digest().subarray(0, 16);
  }

  private entryKey(version: number, mailboxId: Uint8Array): Buffer | undefined {
    const cacheKey = `${version}/${Buffer.from(mailboxId.buffer, mailboxId.byteOffset, mailboxId.byteLength).toString("hex")}`;
    let key = this.entryKeys.get(cacheKey);
    if (key !== undefined) return key;
    const secret = this.secrets.key(version);
    if (secret === undefined) return undefined;
    key = Buffer.from(hkdfSync("sha256", secret, ENTRY_SALT, mailboxId, 32));
    if (this.entryKeys.size >= KEY_CACHE_SIZE) this.entryKeys.clear();
    this.entryKeys.set(cacheKey, key);
    return key;
  }

  private nextNonce(): Buffer {
    if (this.nonceAt >= NONCE_POOL) {
      randomFillSync(this.nonces);
      this.nonceAt = 0;
    }
    const nonce = this.nonces.subarray(this.nonceAt, this.nonceAt + NONCE_BYTES);
    this.nonceAt += NONCE_BYTES;
    return nonce;
  }
}
