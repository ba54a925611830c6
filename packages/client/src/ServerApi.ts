import {
  decodeBase64url,
  encodeBase64url,
  isErrorCode,
  type BlobUploadResponse,
  type CheckInvitationResponse,
  type CreateInvitationResponse,
  type CreateInvitationBatchResponse,
  type DirectoryEntryStatement,
  encodeDirectoryEntry,
  type FetchKeyPackagesResponse,
  type LoginChallengeResponse,
  type LoginResponse,
  type MeResponse,
  type MembersResponse,
  type RedeemInvitationResponse,
  encodeAccountCertificate,
  encodeDeviceCertificate,
  encodeInvitationCertificate,
  encodeOrganisationStatement,
  type AccountCertificate,
  type DeviceCertificate,
  type InvitationCertificate,
  type InvitationsResponse,
  type OrganisationLogResponse,
  type OrganisationSettingsRequest,
  type OrganisationStatement,
  type PostStatementsResponse,
  type FetchEntriesResponse,
  type PushKeyResponse,
  type PersonErasureResponse,
  type PersonExportResponse,
  type PrivacyDocument,
  type PrivacyDocumentResponse,
} from "@bote/protocol/light";
import { ClientError } from "./clientError.js";
import type { HttpRequest, HttpResponse, HttpTransport } from "./ports.js";

const utf8Decoder = new TextDecoder();

/**
 * Bytes from a base64url id or field. By default a malformed one is the
 * server's fault (an answer or a record it gave us); a caller whose id came
 * from a person passes the code that person should read.
 */
export function bytesFrom(
  text: unknown,
  what: string,
  code: "server_unexpected" | "message_unknown" = "server_unexpected",
): Uint8Array {
  const bytes = typeof text === "string" ? decodeBase64url(text) : undefined;
  if (bytes === undefined) throw new ClientError(code, what);
  return bytes;
}

/**
 * The HTTP control plane (docs/PROTOCOL.md §3), one method per endpoint. A
 * failed request becomes a ClientError carrying the server's code.
 */
export class ServerApi {
  constructor(
    private readonly http: HttpTransport,
    readonly serverUrl: string,
    private readonly session: () => string | undefined = () => undefined,
    private readonly renewSession?: () => Promise<void>,
  ) {}

  /** An API that sends the session token, and on a refused one logs in again (once) and retries. */
  withSession(session: () => string | undefined, renew?: () => Promise<void>): ServerApi {
    return new ServerApi(this.http, this.serverUrl, session, renew);
  }

  redeemInvitation(request: {
    token: string;
    accountId: Uint8Array;
    publicKey: Uint8Array;
    accountCertificate: AccountCertificate;
    deviceCertificate: DeviceCertificate;
    organisationKey?: Uint8Array;
  }): Promise<RedeemInvitationResponse> {
    return this.json("POST", "/v1/invitations/redeem", {
      token: request.token,
      accountId: encodeBase64url(request.accountId),
      publicKey: encodeBase64url(request.publicKey),
      accountCertificate: encodeBase64url(encodeAccountCertificate(request.accountCertificate)),
      deviceCertificate: encodeBase64url(encodeDeviceCertificate(request.deviceCertificate)),
      ...(request.organisationKey === undefined ? {} : { organisationKey: encodeBase64url(request.organisationKey) }),
    });
  }

  checkInvitation(token: string): Promise<CheckInvitationResponse> {
    return this.json("POST", "/v1/invitations/check", { token });
  }

  loginChallenge(deviceId: string): Promise<LoginChallengeResponse> {
    return this.json("POST", "/v1/login/challenge", { deviceId });
  }

  login(deviceId: string, challenge: string, signature: Uint8Array): Promise<LoginResponse> {
    return this.json("POST", "/v1/login", { deviceId, challenge, signature: encodeBase64url(signature) });
  }

  me(): Promise<MeResponse> {
    return this.json("GET", "/v1/me");
  }

  members(): Promise<MembersResponse> {
    return this.json("GET", "/v1/members");
  }

  createInvitation(certificate: InvitationCertificate): Promise<CreateInvitationResponse> {
    return this.json("POST", "/v1/invitations", {
      certificate: encodeBase64url(encodeInvitationCertificate(certificate)),
    });
  }

  /** All or none: the server makes the whole batch in one transaction. */
  createInvitations(
    invitations: readonly { certificate: InvitationCertificate; directoryEntry?: DirectoryEntryStatement }[],
  ): Promise<CreateInvitationBatchResponse> {
    return this.json("POST", "/v1/invitations/batch", {
      invitations: invitations.map((i) => ({
        certificate: encodeBase64url(encodeInvitationCertificate(i.certificate)),
        ...(i.directoryEntry === undefined
          ? {}
          : { directoryEntry: encodeBase64url(encodeDirectoryEntry(i.directoryEntry)) }),
      })),
    });
  }

  // Linking a device (docs/PROTOCOL.md, "Linking a device"). The response shapes are local:
  // every field is checked where it is used (bytesFrom), so a wrong answer is a coded error.

  startDeviceLink(commitment: Uint8Array): Promise<{ linkId: string; code: string; url: string; expiresAt: string }> {
    return this.json("POST", "/v1/device-links", { commitment: encodeBase64url(commitment) });
  }

  deviceLink(linkId: string): Promise<{ state: string; ephemeralKey?: string; publicKey?: string }> {
    return this.json("GET", `/v1/device-links/${linkId}`);
  }

  revealDeviceLink(linkId: string, ephemeralKey: Uint8Array): Promise<unknown> {
    return this.json("POST", `/v1/device-links/${linkId}/reveal`, { ephemeralKey: encodeBase64url(ephemeralKey) });
  }

  completeDeviceLink(
    linkId: string,
    deviceCertificate: DeviceCertificate,
    sealed: Uint8Array,
  ): Promise<{ deviceId: string }> {
    return this.json("POST", `/v1/device-links/${linkId}/complete`, {
      deviceCertificate: encodeBase64url(encodeDeviceCertificate(deviceCertificate)),
      sealed: encodeBase64url(sealed),
    });
  }

  claimDeviceLink(
    code: string,
    publicKey: Uint8Array,
  ): Promise<{ linkId: string; claimToken: string; commitment: string }> {
    return this.json("POST", "/v1/device-links/claim", { code, publicKey: encodeBase64url(publicKey) });
  }

  keyDeviceLink(linkId: string, claimToken: string, ephemeralKey: Uint8Array): Promise<unknown> {
    return this.json("POST", "/v1/device-links/key", {
      linkId,
      claimToken,
      ephemeralKey: encodeBase64url(ephemeralKey),
    });
  }

  deviceLinkStatus(
    linkId: string,
    claimToken: string,
  ): Promise<{
    state: string;
    commitment: string;
    ephemeralKey?: string;
    deviceId?: string;
    mailbox?: { mailboxId: string; capability: string };
    sealed?: string;
  }> {
    return this.json("POST", "/v1/device-links/status", { linkId, claimToken });
  }

  invitations(): Promise<InvitationsResponse> {
    return this.json("GET", "/v1/invitations");
  }

  /** Every server-side row about one person of the organisation (admins). */
  personExport(accountId: string): Promise<PersonExportResponse> {
    return this.json("GET", `/v1/admin/persons/${encodeURIComponent(accountId)}`);
  }

  /** Erases a deactivated person's server-side data (admins). */
  erasePerson(accountId: string): Promise<PersonErasureResponse> {
    return this.json("POST", `/v1/admin/persons/${encodeURIComponent(accountId)}/erase`, {});
  }

  /** A data protection document generated by the server; `info` is public, the others are for admins. */
  privacyDocument(document: PrivacyDocument, lang: "de" | "en"): Promise<PrivacyDocumentResponse> {
    const path = document === "info" ? "/v1/privacy/info" : `/v1/admin/privacy/${document}`;
    return this.json("GET", `${path}?lang=${lang}`);
  }

  organisationLog(after: number): Promise<OrganisationLogResponse> {
    return this.json("GET", `/v1/organisation/log?after=${after}`);
  }

  /** The setup wizard's organisation name and default language (admins). */
  setUpOrganisation(settings: OrganisationSettingsRequest): Promise<unknown> {
    return this.json("POST", "/v1/organisation/settings", settings);
  }

  postStatements(statements: readonly OrganisationStatement[]): Promise<PostStatementsResponse> {
    return this.json("POST", "/v1/organisation/statements", {
      statements: statements.map((s) => encodeBase64url(encodeOrganisationStatement(s))),
    });
  }

  uploadKeyPackages(oneTime: readonly Uint8Array[], lastResort: Uint8Array | undefined): Promise<unknown> {
    return this.json("POST", "/v1/key-packages", {
      oneTime: oneTime.map(encodeBase64url),
      ...(lastResort === undefined ? {} : { lastResort: encodeBase64url(lastResort) }),
    });
  }

  fetchKeyPackages(accountId: string): Promise<FetchKeyPackagesResponse> {
    return this.json("GET", `/v1/accounts/${accountId}/key-packages`);
  }

  // Contact points (docs/PROTOCOL.md §18). The response shapes are local, as for device links:
  // every field is checked where it is used, and the statement by its signature.

  contactPoint(slug: string): Promise<{
    contactPoint: string;
    organisation: { id: string; name: string };
    organisationKey: string;
    proofOfWork?: { challenge: string; bits: number; expiresAt: string };
  }> {
    return this.json("GET", `/v1/contact-points/${slug}`);
  }

  createGuest(
    slug: string,
    request: {
      accountId: Uint8Array;
      publicKey: Uint8Array;
      accountCertificate: AccountCertificate;
      deviceCertificate: DeviceCertificate;
      proof?: { challenge: string; nonce: string };
    },
  ): Promise<{ accountId: string; deviceId: string; mailbox: { mailboxId: string; capability: string } }> {
    return this.json("POST", `/v1/contact-points/${slug}/guests`, {
      accountId: encodeBase64url(request.accountId),
      publicKey: encodeBase64url(request.publicKey),
      accountCertificate: encodeBase64url(encodeAccountCertificate(request.accountCertificate)),
      deviceCertificate: encodeBase64url(encodeDeviceCertificate(request.deviceCertificate)),
      ...(request.proof === undefined ? {} : { proof: request.proof }),
    });
  }

  /** A guest's one look at its staff: each staff account's key packages, as fetchKeyPackages gives them. */
  contactPointKeyPackages(slug: string): Promise<{ accounts: (FetchKeyPackagesResponse & { accountId: string })[] }> {
    return this.json("GET", `/v1/contact-points/${slug}/key-packages`);
  }

  pushKey(): Promise<PushKeyResponse> {
    return this.json("GET", "/v1/push/key");
  }

  /** The browser's subscription (PushSubscription: endpoint and the keys p256dh and auth, base64url). */
  async setPushSubscription(subscription: { endpoint: string; keys: { p256dh: string; auth: string } }): Promise<void> {
    await (await this.send(jsonRequest("POST", "/v1/push/subscription", subscription))).bytes();
  }

  async deletePushSubscription(): Promise<void> {
    await (await this.send({ method: "DELETE", path: "/v1/push/subscription", headers: {} })).bytes();
  }

  fetchEntries(): Promise<FetchEntriesResponse> {
    return this.json("GET", "/v1/entries");
  }

  async ackEntries(entryIds: readonly number[]): Promise<void> {
    await (await this.send(jsonRequest("POST", "/v1/entries/ack", { entryIds }))).bytes();
  }

  async uploadBlob(body: AsyncIterable<Uint8Array>, length: number): Promise<BlobUploadResponse> {
    const response = await this.send({
      method: "POST",
      path: "/v1/blobs",
      headers: { "content-type": "application/octet-stream", "content-length": String(length) },
      body,
    });
    return (await readJson(response)) as BlobUploadResponse;
  }

  async downloadBlob(blobId: string): Promise<AsyncIterable<Uint8Array>> {
    const response = await this.send({ method: "GET", path: `/v1/blobs/${blobId}`, headers: {} });
    return response.stream();
  }

  private async json<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    return (await readJson(await this.send(jsonRequest(method, path, body)))) as T;
  }

  private async send(request: HttpRequest, retried = false): Promise<HttpResponse> {
    const token = this.session();
    const headers = token === undefined ? request.headers : { ...request.headers, authorization: `Bearer ${token}` };
    let response: HttpResponse;
    try {
      response = await this.http(this.serverUrl, { ...request, headers });
    } catch (err) {
      throw new ClientError("offline", err instanceof Error ? err.message : undefined, { cause: err });
    }
    const replayable =
      request.body === undefined || typeof request.body === "string" || request.body instanceof Uint8Array;
    if (response.status === 401 && token !== undefined && this.renewSession !== undefined && !retried && replayable) {
      // A remembered token the server no longer knows (logged out, expired early): log in once more.
      await response.bytes();
      await this.renewSession();
      return this.send(request, true);
    }
    if (response.status >= 400) throw await errorFrom(response);
    return response;
  }
}

function jsonRequest(method: "GET" | "POST", path: string, body?: unknown): HttpRequest {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  return { method, path, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
}

async function readJson(response: HttpResponse): Promise<unknown> {
  try {
    return JSON.parse(utf8Decoder.decode(await response.bytes())) as unknown;
  } catch (err) {
    throw new ClientError("server_unexpected", "response is not JSON", { cause: err });
  }
}

async function errorFrom(response: HttpResponse): Promise<ClientError> {
  let code: unknown;
  try {
    const body = JSON.parse(utf8Decoder.decode(await response.bytes())) as { error?: { code?: unknown } };
    code = body.error?.code;
  } catch {
    // Fall through: a proxy's HTML error page has no code.
  }
  if (typeof code === "string" && isErrorCode(code)) return new ClientError(code);
  // A proxy's own 503 page (the node behind it is not ready): as retryable as the server's own answer.
  if (response.status === 503) return new ClientError("unavailable", "HTTP 503");
  return new ClientError("server_unexpected", `HTTP ${response.status}`);
}
