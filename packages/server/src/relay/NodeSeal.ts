/**
 * How the nodes of one installation seal what they tell each other over
 * NATS: AES-256-GCM under a key of the sending node's, derived from the
 * secrets file they share and the node's id, with the node's message count
 * as the nonce. Whoever lacks the secrets file can neither read a message
 * nor make one that a node accepts. A message may be bound to a context
 * (a notice to its device or organisation) that is authenticated but not
 * sent: under another context it does not open, so a notice moved to
 * another subject is dropped.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import type { ServerSecrets } from "../secrets/ServerSecrets.js";

const NODE_ID_BYTES = 8;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** The bytes sealing adds to a body: the node id, the nonce and the tag. */
export const SEAL_BYTES = NODE_ID_BYTES + NONCE_BYTES + TAG_BYTES;
/** Named after the entry batches, the first thing sealed; a new label would cut nodes of the version before off. */
const NODE_KEY_LABEL = "bote nats entry batches v1";
const MAX_KNOWN_NODES = 256;

/** One node's sealing: its id, its key and its count, and the keys of the other nodes it heard. */
export class NodeSeal {
  /** Drawn at start, so each process seals under a key of its own. */
  readonly nodeId = new Uint8Array(randomBytes(NODE_ID_BYTES));
  private readonly sendKey: Buffer;
  private sealed = 0;
  /** Other nodes' keys, by node id. */
  private readonly receiveKeys = new Map<string, Buffer>();

  constructor(private readonly secret: Buffer) {
    this.sendKey = nodeKey(secret, this.nodeId);
  }

  /** Seals the records as one message of this node's; batches and notices share the count, so no nonce repeats. */
  seal(records: Uint8Array[], bytes: number, context?: Uint8Array): Buffer {
    return sealMessage(this.sendKey, this.nodeId, this.sealed++, records, bytes, context);
  }

  /** The body of another node's message, or undefined for this node's own or one that does not open (in this context). */
  open(data: Uint8Array, context?: Uint8Array): Buffer | undefined {
    if (data.length < SEAL_BYTES || this.fromHere(data)) return undefined;
    return openMessage(this.receiveKey(data.subarray(0, NODE_ID_BYTES)), data, context);
  }

  private fromHere(data: Uint8Array): boolean {
    return data.subarray(0, NODE_ID_BYTES).every((b, i) => b === this.nodeId[i]);
  }

  private receiveKey(nodeId: Uint8Array): Buffer {
    const id = Buffer.from(nodeId).toString("hex");
    let key = this.receiveKeys.get(id);
    if (key === undefined) {
      // Nodes restart with new ids; the oldest ones go.
      if (this.receiveKeys.size >= MAX_KNOWN_NODES) this.receiveKeys.delete(this.receiveKeys.keys().next().value!);
      key = nodeKey(this.secret, nodeId);
      this.receiveKeys.set(id, key);
    }
    return key;
  }
}

/** What every node of an installation derives the node keys from. */
export function nodeSealSecret(secrets: ServerSecrets): Buffer {
  return installationKey(secrets, NODE_KEY_LABEL);
}

/** A key every node of an installation derives alike: from the oldest secret, so a rotation keeps it. */
export function installationKey(secrets: ServerSecrets, label: string): Buffer {
  const oldest = secrets.key(Math.min(...secrets.versions()))!;
  return createHmac("sha256", oldest).update(label).digest();
}

/**
 * The key of one node's messages. A node draws its id at start, so each
 * process seals under a key of its own and can count its nonces from zero:
 * no nonce repeats under a key however long an installation runs.
 */
export function nodeKey(secret: Buffer, nodeId: Uint8Array): Buffer {
  return createHmac("sha256", secret).update(nodeId).digest();
}

/**
 * A message on the wire: the sending node's id, the nonce (the node's
 * count), the records sealed, the tag. The associated data is the node id
 * and the context, if any; without one (entry batches) the wire is that of
 * the version before contexts.
 */
export function sealMessage(
  key: Buffer,
  nodeId: Uint8Array,
  count: number,
  records: Uint8Array[],
  bytes: number,
  context?: Uint8Array,
): Buffer {
  const out = Buffer.allocUnsafe(SEAL_BYTES + bytes);
  out.set(nodeId);
  const nonce = Buffer.alloc(NONCE_BYTES);
  nonce.writeUInt32BE(Math.floor(count / 0x1_0000_0000), 4);
  nonce.writeUInt32BE(count >>> 0, 8);
  nonce.copy(out, NODE_ID_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(associatedData(nodeId, context));
  let at = NODE_ID_BYTES + NONCE_BYTES;
  for (const record of records) at += cipher.update(record).copy(out, at);
  cipher.final();
  cipher.getAuthTag().copy(out, at);
  return out;
}

/** The body of a message, or undefined when it does not open under the key and context. */
function openMessage(key: Buffer, data: Uint8Array, context: Uint8Array | undefined): Buffer | undefined {
  const sealed = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const decipher = createDecipheriv("aes-256-gcm", key, sealed.subarray(NODE_ID_BYTES, NODE_ID_BYTES + NONCE_BYTES));
  decipher.setAAD(associatedData(sealed.subarray(0, NODE_ID_BYTES), context));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    const body = decipher.update(sealed.subarray(NODE_ID_BYTES + NONCE_BYTES, sealed.length - TAG_BYTES));
    decipher.final();
    return body;
  } catch {
    return undefined;
  }
}

/** The node id has a fixed length, so no two (node, context) pairs give the same bytes. */
function associatedData(nodeId: Uint8Array, context: Uint8Array | undefined): Uint8Array {
  return context === undefined ? nodeId : Buffer.concat([nodeId, context]);
}
