/**
 * A push service of our own for tests: a small HTTP server that takes Web
 * Push requests (RFC 8030) as a browser vendor's service would, and the
 * browser's side of a subscription (a P-256 key pair and an auth secret).
 * It checks the VAPID token (RFC 8292) and decrypts the aes128gcm payload
 * (RFC 8291, RFC 8188) with node:crypto alone, so a test sees exactly what
 * a push service and the receiving browser would see.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify, type ECDH } from "node:crypto";
import { decodeBase64url, encodeBase64url } from "@bote/protocol";

export interface ReceivedPush {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

export interface PushService {
  /** The origin, e.g. http://127.0.0.1:4711. */
  origin: string;
  received: ReceivedPush[];
  /** The status the next requests are answered with (201 by default, as push services do). */
  status: number;
  close(): Promise<void>;
}

export async function startPushService(): Promise<PushService> {
  const received: ReceivedPush[] = [];
  const service: PushService = {
    origin: "",
    received,
    status: 201,
    close: () => closeServer(server),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ path: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks), at: Date.now() });
      response.writeHead(service.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  service.origin = `http://127.0.0.1:${address.port}`;
  return service;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

/** The browser's half of a subscription: what PushManager.subscribe keeps and what it hands the app. */
export interface BrowserSubscription {
  endpoint: string;
  ecdh: ECDH;
  auth: Buffer;
  /** The body of POST /v1/push/subscription. */
  json: { endpoint: string; keys: { p256dh: string; auth: string } };
}

export function browserSubscription(endpoint: string): BrowserSubscription {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    endpoint,
    ecdh,
    auth,
    json: { endpoint, keys: { p256dh: encodeBase64url(ecdh.getPublicKey()), auth: encodeBase64url(auth) } },
  };
}

/** RFC 8291 §3 and RFC 8188: the plaintext of an aes128gcm push body, as the browser decrypts it. */
export function decryptPush(body: Buffer, subscription: BrowserSubscription): Buffer {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20]!;
  const serverKey = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  if (idLength !== 65 || ciphertext.length > recordSize) throw new Error("not one aes128gcm record with a P-256 key");
  const secret = subscription.ecdh.computeSecret(serverKey);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), subscription.ecdh.getPublicKey(), serverKey]);
  const ikm = Buffer.from(hkdfSync("sha256", secret, subscription.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // The last record ends in a 0x02 delimiter, then zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error("no last-record delimiter");
  return padded.subarray(0, end);
}

export interface VapidToken {
  /** The application server's public key (65 bytes), from the header's k. */
  publicKey: Uint8Array;
  claims: { aud?: unknown; exp?: unknown; sub?: unknown };
}

/** RFC 8292: `Authorization: vapid t=<JWT>, k=<key>`; the JWT must be ES256 and verify under k. */
export function verifyVapid(header: string | undefined): VapidToken {
  const match = /^vapid t=([A-Za-z0-9_.-]+), ?k=([A-Za-z0-9_-]+)$/.exec(header ?? "");
  if (match === null) throw new Error(`no VAPID authorization: ${header}`);
  const [head, payload, signature] = match[1]!.split(".");
  const publicKey = decodeBase64url(match[2]!);
  if (head === undefined || payload === undefined || signature === undefined || publicKey?.length !== 65) {
    throw new Error("malformed VAPID token");
  }
  const header64 = JSON.parse(Buffer.from(head, "base64url").toString()) as { alg?: string; typ?: string };
  if (header64.alg !== "ES256") throw new Error(`VAPID alg ${header64.alg}`);
  const key = createPublicKey({
    format: "jwk",
    key: {
      kty: "EC",
      crv: "P-256",
      x: encodeBase64url(publicKey.subarray(1, 33)),
      y: encodeBase64url(publicKey.subarray(33)),
    },
  });
  const signed = Buffer.from(`${head}.${payload}`);
  const ok = verify("sha256", signed, { key, dsaEncoding: "ieee-p1363" }, Buffer.from(signature, "base64url"));
  if (!ok) throw new Error("VAPID signature does not verify");
  return { publicKey, claims: JSON.parse(Buffer.from(payload, "base64url").toString()) as VapidToken["claims"] };
}
