/**
 * One certificate for one domain from an ACME CA (RFC 8555) by http-01,
 * step by step through acme-client so that each failure gets its code: no
 * answer from the CA, a failed validation of the domain, or any other
 * refusal. The CA's own problem text is kept as the reason.
 */
import { Agent, get } from "node:https";
import { rootCertificates } from "node:tls";
import acme from "acme-client";
import { TlsError, isNetworkFailure, reasonOf, type TlsErrorCode } from "./AcmeError.js";

export interface CertificatePair {
  /** PEM private key of the certificate. */
  readonly key: string;
  /** PEM certificate chain, leaf first. */
  readonly cert: string;
}

export interface AcmeAccount {
  readonly directoryUrl: string;
  /** PEM private key of the ACME account. */
  readonly accountKey: string;
  /** The account's URL at the CA, once it was created. */
  readonly accountUrl?: string;
}

export interface ObtainOptions {
  readonly domain: string;
  readonly account: AcmeAccount;
  readonly email: string | undefined;
  /** PEM certificates to trust for the CA's own HTTPS, beside the system's (a test CA). */
  readonly extraCa: string | undefined;
  /** Where the HTTP port looks up the answers to the CA's challenges. */
  readonly challenges: Map<string, string>;
}

export async function createAccountKey(): Promise<string> {
  return (await acme.crypto.createPrivateEcdsaKey("P-256")).toString();
}

export interface Obtained extends CertificatePair {
  /** The account's URL at the CA: kept, so the account is created once. */
  readonly accountUrl: string;
}

export async function obtainCertificate(options: ObtainOptions): Promise<Obtained> {
  const agent = options.extraCa === undefined ? undefined : new Agent({ ca: [...rootCertificates, options.extraCa] });
  // Asked once directly, so that "no answer" comes with the system's reason (ECONNREFUSED, ENOTFOUND, an
  // untrusted certificate) and at once: acme-client would retry for 75 s and then lose the reason.
  await probeDirectory(options.account.directoryUrl, agent);
  // acme-client talks through its one axios instance: bounded, and with the extra CA if one is given.
  acme.axios.defaults.timeout = 30_000;
  acme.axios.defaults.httpsAgent = agent;
  const settings = (acme.axios.defaults as { acmeSettings?: { retryMaxAttempts: number; retryDefaultDelay: number } })
    .acmeSettings;
  if (settings !== undefined) {
    // A CA that answered the probe gets two more tries (2 s, 4 s) for a hiccup, not five over 75 s.
    settings.retryMaxAttempts = 2;
    settings.retryDefaultDelay = 2;
  }
  const client = new acme.Client({
    directoryUrl: options.account.directoryUrl,
    accountKey: options.account.accountKey,
    ...(options.account.accountUrl === undefined ? {} : { accountUrl: options.account.accountUrl }),
    // Polls the CA from 0.25 s up to 10 s apart, about a minute in all.
    backoffAttempts: 12,
    backoffMin: 250,
    backoffMax: 10_000,
  });
  // Running with --domain is agreeing to the CA's terms (docs/OPERATIONS.md says so). Only once: for a
  // known account acme-client would send an update that CAs refuse when nothing changes.
  if (options.account.accountUrl === undefined) {
    await step("acme_failed", () =>
      client.createAccount({
        termsOfServiceAgreed: true,
        ...(options.email === undefined ? {} : { contact: [`mailto:${options.email}`] }),
      }),
    );
  }
  const order = await step("acme_failed", () =>
    client.createOrder({ identifiers: [{ type: "dns", value: options.domain }] }),
  );
  const authorizations = await step("acme_failed", () => client.getAuthorizations(order));
  for (const authorization of authorizations) {
    if (authorization.status === "valid") continue;
    const challenge = authorization.challenges.find((c) => c.type === "http-01");
    if (challenge === undefined) throw new TlsError("acme_failed", "the CA offers no http-01 challenge");
    const keyAuthorization = await client.getChallengeKeyAuthorization(challenge);
    options.challenges.set(challenge.token, keyAuthorization);
    try {
      await step("acme_validation_failed", async () => {
        await client.completeChallenge(challenge);
        await client.waitForValidStatus(authorization);
      });
    } finally {
      options.challenges.delete(challenge.token);
    }
  }
  const [key, csr] = await acme.crypto.createCsr(
    { commonName: options.domain, altNames: [options.domain] },
    await acme.crypto.createPrivateEcdsaKey("P-256"),
  );
  const cert = await step("acme_failed", async () => {
    const finalized = await client.finalizeOrder(order, csr);
    return client.getCertificate(finalized);
  });
  return { key: key.toString(), cert, accountUrl: client.getAccountUrl() };
}

/** The CA's directory answers with JSON naming newAccount; anything else is acme_unreachable. */
function probeDirectory(url: string, agent: Agent | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const unreachable = (reason: string) => reject(new TlsError("acme_unreachable", `${url}: ${reason}`));
    const request = get(url, { ...(agent === undefined ? {} : { agent }), timeout: 30_000 }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
        if (body.length > 100_000) response.destroy();
      });
      response.on("end", () => {
        if (response.statusCode !== 200) return unreachable(`HTTP ${response.statusCode}`);
        try {
          const directory = JSON.parse(body) as { newAccount?: unknown };
          if (typeof directory.newAccount === "string") return resolve();
        } catch {
          // Not JSON: said below.
        }
        unreachable("no ACME directory");
      });
      response.once("error", (error) => unreachable(reasonOf(error)));
    });
    request.once("timeout", () => request.destroy(new Error("no answer within 30 s")));
    request.once("error", (error) => unreachable(reasonOf(error)));
  });
}

/** Runs one exchange with the CA; a network failure is always acme_unreachable, any other one `code`. */
async function step<T>(code: TlsErrorCode, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof TlsError) throw error;
    throw new TlsError(isNetworkFailure(error) ? "acme_unreachable" : code, reasonOf(error), { cause: error });
  }
}
