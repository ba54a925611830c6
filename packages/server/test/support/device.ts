/**
 * A minimal device speaking the wire protocol directly: an Ed25519 key,
 * HTTP calls, and a WebSocket with frame helpers. Tests of the relay use it
 * so that every byte the server sees is one the test chose.
 */
import { randomBytes, sign, type KeyObject } from "node:crypto";
import { WebSocket } from "ws";
import { create } from "@bufbuild/protobuf";
import {
  PROTOCOL_VERSION,
  SendSchema,
  decodeBase64url,
  decodeServerFrame,
  encodeBase64url,
  encodeClientFrame,
  encodeAccountCertificate,
  encodeDeviceCertificate,
  encodeInvitationCertificate,
  loginSignedBytes,
  type AccountCertificate,
  type InvitationCertificate,
  type OrganisationStatement,
  type PostStatementsResponse,
  type Role,
  type ClientFrameBody,
  type CreateGuestResponse,
  type Entry,
  type RedeemInvitationResponse,
  type SendResult,
  type ServerFrameBody,
} from "@bote/protocol";
import type { TestServer } from "./server.js";
import {
  deviceCertificate,
  guestAccountCertificate,
  invitationCertificate,
  newKeyPair,
  organisationAccountCertificate,
  provisionalAccountCertificate,
  randomAccountId,
  statementText,
  type KeyPair,
} from "./orgKeys.js";

/** The organisation's private key as the admin devices of a test hold it; a rotation replaces key for all of them. */
export interface OrganisationHolder {
  key: KeyPair;
}

/** An invitation an admin device made: the token, and what the link's fragment would carry. */
export interface Invite {
  token: string;
  certificate: InvitationCertificate;
  invitationKey: KeyPair;
  organisation: OrganisationHolder;
}

/** The body of POST /v1/invitations/redeem, from its parts. */
export function redeemBody(parts: {
  token: string;
  accountId: Uint8Array;
  deviceKey: Uint8Array;
  accountCertificate: AccountCertificate;
  deviceCertificate: Parameters<typeof encodeDeviceCertificate>[0];
  organisationKey?: Uint8Array;
}): Record<string, string> {
  const body: Record<string, string> = {
    token: parts.token,
    accountId: encodeBase64url(parts.accountId),
    publicKey: encodeBase64url(parts.deviceKey),
    accountCertificate: encodeBase64url(encodeAccountCertificate(parts.accountCertificate)),
    deviceCertificate: encodeBase64url(encodeDeviceCertificate(parts.deviceCertificate)),
  };
  if (parts.organisationKey !== undefined) body.organisationKey = encodeBase64url(parts.organisationKey);
  return body;
}

export interface Address {
  mailboxId: Uint8Array;
  capability: Uint8Array;
}

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
}

export async function http<T = unknown>(
  server: { url: string },
  method: string,
  path: string,
  options: { body?: unknown; token?: string; raw?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = body;
  const response = await fetch(server.url + path, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: the raw text is the body.
  }
  return { status: response.status, body: parsed as T };
}

export class TestDevice {
  token = "";
  private constructor(
    readonly server: TestServer,
    readonly privateKey: KeyObject,
    readonly publicKey: Uint8Array,
    readonly accountId: Uint8Array,
    readonly deviceId: Uint8Array,
    public address: Address,
    readonly name: string,
    readonly accountKey: KeyPair,
    readonly organisation: OrganisationHolder,
  ) {}

  /**
   * Redeems an invitation. A token string is redeemed as the first admin:
   * the device makes the organisation key and certifies its own account
   * with it. An Invite is redeemed with a provisional certificate by its
   * invitation key, for exactly the account it names.
   */
  static async join(
    server: TestServer,
    invitation: Invite | string,
    name?: string,
    /** For a token string: the organisation key to certify with (a recovery) instead of a new one. */
    restoredKey?: KeyPair,
  ): Promise<TestDevice> {
    const device = newKeyPair();
    const accountKey = newKeyPair();
    let organisation: OrganisationHolder;
    let accountCertificate: AccountCertificate;
    let token: string;
    let organisationKey: Uint8Array | undefined;
    if (typeof invitation === "string") {
      organisation = { key: restoredKey ?? newKeyPair() };
      const accountId = randomAccountId();
      accountCertificate = organisationAccountCertificate(organisation.key, {
        accountId,
        accountKey: accountKey.publicKey,
        role: "admin",
        displayName: name ?? "Admin",
        issuedBy: accountId,
      });
      token = invitation;
      organisationKey = organisation.key.publicKey;
    } else {
      organisation = invitation.organisation;
      accountCertificate = provisionalAccountCertificate(
        invitation.certificate,
        invitation.invitationKey,
        accountKey.publicKey,
      );
      token = invitation.token;
    }
    const accountId = accountCertificate.accountId;
    const body = redeemBody({
      token,
      accountId,
      deviceKey: device.publicKey,
      accountCertificate,
      deviceCertificate: deviceCertificate(accountId, accountKey, device.publicKey),
      ...(organisationKey === undefined ? {} : { organisationKey }),
    });
    const res = await http<RedeemInvitationResponse>(server, "POST", "/v1/invitations/redeem", { body });
    if (res.status !== 201) throw new Error(`redeem failed: ${res.status} ${JSON.stringify(res.body)}`);
    const b = res.body;
    return new TestDevice(
      server,
      device.privateKey,
      device.publicKey,
      decodeBase64url(b.accountId)!,
      decodeBase64url(b.deviceId)!,
      { mailboxId: decodeBase64url(b.mailbox.mailboxId)!, capability: decodeBase64url(b.mailbox.capability)! },
      accountCertificate.displayName,
      accountKey,
      organisation,
    );
  }

  /**
   * Makes a customer's guest account through a contact point, as the
   * customer's browser does; the certificate may be swapped by the test.
   */
  static async guest(
    server: TestServer,
    slug: string,
    fields: {
      organisationKey: Uint8Array;
      contactPointId: Uint8Array;
      accountCertificate?: (accountKey: KeyPair) => AccountCertificate;
      proof?: (publicKey: Uint8Array) => { challenge: string; nonce: string };
    },
  ): Promise<TestDevice> {
    const device = newKeyPair();
    const accountKey = newKeyPair();
    const accountCertificate =
      fields.accountCertificate?.(accountKey) ??
      guestAccountCertificate(accountKey, {
        organisationKey: fields.organisationKey,
        contactPointId: fields.contactPointId,
      });
    const body: Record<string, unknown> = {
      accountId: encodeBase64url(accountCertificate.accountId),
      publicKey: encodeBase64url(device.publicKey),
      accountCertificate: encodeBase64url(encodeAccountCertificate(accountCertificate)),
      deviceCertificate: encodeBase64url(
        encodeDeviceCertificate(deviceCertificate(accountCertificate.accountId, accountKey, device.publicKey)),
      ),
    };
    if (fields.proof !== undefined) body.proof = fields.proof(device.publicKey);
    const res = await http<CreateGuestResponse>(server, "POST", `/v1/contact-points/${slug}/guests`, { body });
    if (res.status !== 201) throw new GuestRefused(res);
    const b = res.body;
    return new TestDevice(
      server,
      device.privateKey,
      device.publicKey,
      decodeBase64url(b.accountId)!,
      decodeBase64url(b.deviceId)!,
      { mailboxId: decodeBase64url(b.mailbox.mailboxId)!, capability: decodeBase64url(b.mailbox.capability)! },
      accountCertificate.displayName,
      accountKey,
      { key: newKeyPair() },
    );
  }

  async login(): Promise<string> {
    const deviceId = encodeBase64url(this.deviceId);
    const c = await http<{ challenge: string }>(this.server, "POST", "/v1/login/challenge", { body: { deviceId } });
    const challenge = decodeBase64url(c.body.challenge)!;
    const signature = sign(null, loginSignedBytes(this.deviceId, challenge), this.privateKey);
    const res = await http<{ sessionToken: string }>(this.server, "POST", "/v1/login", {
      body: { deviceId, challenge: c.body.challenge, signature: encodeBase64url(signature) },
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    this.token = res.body.sessionToken;
    return this.token;
  }

  call<T = unknown>(method: string, path: string, body?: unknown): Promise<HttpResult<T>> {
    return http<T>(this.server, method, path, body === undefined ? { token: this.token } : { body, token: this.token });
  }

  /** Certifies an invitation with the organisation key this (admin) device holds, and uploads it. */
  async invite(
    displayName = "Member",
    role: Role = "member",
    options: { expiresAtSeconds?: number; accountId?: Uint8Array } = {},
  ): Promise<Invite> {
    const invitationKey = newKeyPair();
    const certificate = invitationCertificate(this.organisation.key, {
      invitationKey: invitationKey.publicKey,
      accountId: options.accountId ?? randomAccountId(),
      role,
      displayName,
      issuedBy: this.accountId,
      ...(options.expiresAtSeconds === undefined ? {} : { expiresAtSeconds: options.expiresAtSeconds }),
    });
    const res = await this.call<{ token: string }>("POST", "/v1/invitations", {
      certificate: encodeBase64url(encodeInvitationCertificate(certificate)),
    });
    if (res.status !== 201) throw new Error(`invite failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { token: res.body.token, certificate, invitationKey, organisation: this.organisation };
  }

  /** POST /v1/organisation/statements. */
  postStatements(statements: OrganisationStatement[]): Promise<HttpResult<PostStatementsResponse>> {
    return this.call<PostStatementsResponse>("POST", "/v1/organisation/statements", {
      statements: statements.map(statementText),
    });
  }

  /** Opens a receiving socket (after login) or, with anonymous, a send-only one; via another node if given. */
  async connect(anonymous = false, via: { wsUrl: string } = this.server): Promise<TestSocket> {
    const socket = await TestSocket.open(via.wsUrl);
    const hello = await socket.hello(anonymous ? "" : this.token);
    if (hello.case !== "helloOk") throw new Error(`hello failed: ${JSON.stringify(hello)}`);
    return socket;
  }
}

/** POST /v1/contact-points/{slug}/guests answered something else than 201. */
export class GuestRefused extends Error {
  constructor(readonly result: HttpResult) {
    super(`guest refused: ${result.status} ${JSON.stringify(result.body)}`);
  }
}

export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`upgrade refused: ${status} ${code}`);
  }
}

export class TestSocket {
  readonly frames: ServerFrameBody[] = [];
  private waiters: (() => void)[] = [];
  private requestId = 0;
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      this.frames.push(decodeServerFrame(new Uint8Array(data)));
      this.wake();
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  /** Opens a socket; a refused upgrade rejects with an UpgradeRefused that carries status and error code. */
  static open(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, headers });
      ws.once("open", () => resolve(new TestSocket(ws)));
      ws.once("error", reject);
      ws.once("unexpected-response", (_request, response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
        response.on("end", () => {
          let code = "";
          try {
            code = (JSON.parse(body) as { error: { code: string } }).error.code;
          } catch {
            // Not the registry's format: the test sees an empty code.
          }
          reject(new UpgradeRefused(response.statusCode ?? 0, code));
        });
        response.on("error", reject);
      });
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async hello(token: string, version = PROTOCOL_VERSION): Promise<ServerFrameBody> {
    this.sendFrame({
      case: "hello",
      value: { $typeName: "bote.v1.Hello", protocolVersion: version, sessionToken: token },
    });
    return this.next((f) => f.case === "helloOk" || f.case === "error");
  }

  sendFrame(body: ClientFrameBody): void {
    this.ws.send(encodeClientFrame(body));
  }

  sendRaw(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  /** Resolves with the first frame (received or future) matching and removes it from the list. */
  async next(match: (f: ServerFrameBody) => boolean, timeoutMs = 5000): Promise<ServerFrameBody> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(match);
      if (i >= 0) return this.frames.splice(i, 1)[0]!;
      if (this.closed !== undefined) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("timed out waiting for a frame");
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async send(
    recipients: Address[],
    payload: Uint8Array,
    options: {
      messageId?: Uint8Array;
      commit?: { groupId: Uint8Array; epoch: bigint };
      welcome?: { recipients: Address[]; payload: Uint8Array };
    } = {},
  ): Promise<SendResult> {
    const requestId = ++this.requestId;
    const value = create(SendSchema, {
      requestId,
      messageId: options.messageId ?? new Uint8Array(randomBytes(16)),
      recipients: recipients.map((r) => ({ mailboxId: r.mailboxId, capability: r.capability })),
      payload,
    });
    if (options.commit !== undefined) value.commit = { $typeName: "bote.v1.CommitGuard", ...options.commit };
    if (options.welcome !== undefined) {
      value.welcome = {
        $typeName: "bote.v1.Welcome",
        recipients: options.welcome.recipients.map((r) => ({ $typeName: "bote.v1.Recipient", ...r })),
        payload: options.welcome.payload,
      };
    }
    this.sendFrame({ case: "send", value });
    const frame = await this.next((f) => f.case === "sendResult" && f.value.requestId === requestId);
    return frame.value as SendResult;
  }

  /** Collects delivered entries until count have arrived. */
  async entries(count: number, timeoutMs = 5000): Promise<Entry[]> {
    const out: Entry[] = [];
    while (out.length < count) {
      const f = await this.next((x) => x.case === "deliver", timeoutMs);
      if (f.case === "deliver") out.push(...f.value.entries);
    }
    return out;
  }

  ack(entryIds: bigint[]): void {
    this.sendFrame({ case: "ack", value: { $typeName: "bote.v1.Ack", entryIds } });
  }

  async close(): Promise<void> {
    if (this.closed !== undefined) return;
    await new Promise<void>((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }
}
