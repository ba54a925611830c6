/**
 * `bote serve --domain`: HTTPS in one flag. The flags are checked here;
 * at start the HTTP port opens (for the CA's challenges, then as a redirect
 * to HTTPS) and the certificate is loaded or obtained before anything else
 * starts, so a failure leaves nothing half running. The ACME code is loaded
 * only with --domain.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "node:http";
import { Server as TlsServer } from "node:tls";
import type { Logger } from "pino";
import { errorText } from "@bote/protocol";
import { cliLanguage, messages, UsageError } from "./messages.js";

/** Let's Encrypt's production directory (RFC 8555 section 7.1.1). */
export const LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";

export interface DomainFlags {
  domain?: string;
  httpPort?: string;
  acmeDirectory?: string;
  acmeCa?: string;
  acmeEmail?: string;
}

export interface DomainOptions {
  readonly domain: string;
  readonly httpPort: number;
  readonly directoryUrl: string;
  /** The PEM text of --acme-ca. */
  readonly extraCa: string | undefined;
  readonly email: string | undefined;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Undefined without --domain; the flags that need it are refused then. */
export function parseDomainFlags(flags: DomainFlags, publicUrl: string | undefined): DomainOptions | undefined {
  const t = messages();
  if (flags.domain === undefined) {
    for (const [flag, value] of [
      ["--http-port", flags.httpPort],
      ["--acme-directory", flags.acmeDirectory],
      ["--acme-ca", flags.acmeCa],
      ["--acme-email", flags.acmeEmail],
    ] as const) {
      if (value !== undefined) throw new UsageError(t.needsDomain(flag));
    }
    return undefined;
  }
  const domain = flags.domain.toLowerCase();
  // An IP address has no name a CA could certify by http-01 here.
  if (!HOST_NAME.test(domain) || /^[\d.]+$/.test(domain)) throw new UsageError(t.invalidDomain(flags.domain));
  if (publicUrl !== undefined) throw new UsageError(t.domainWithPublicUrl);
  const httpPort = flags.httpPort ?? "80";
  if (!/^\d{1,5}$/.test(httpPort) || Number(httpPort) < 1 || Number(httpPort) > 65535)
    throw new UsageError(t.invalidHttpPort(httpPort));
  const directoryUrl = flags.acmeDirectory ?? LETS_ENCRYPT;
  if (!isHttpsUrl(directoryUrl)) throw new UsageError(t.invalidAcmeDirectory(directoryUrl));
  let extraCa: string | undefined;
  if (flags.acmeCa !== undefined) {
    try {
      extraCa = readFileSync(flags.acmeCa, "utf8");
    } catch {
      throw new UsageError(t.invalidAcmeCa(flags.acmeCa));
    }
    if (!extraCa.includes("-----BEGIN CERTIFICATE-----")) throw new UsageError(t.invalidAcmeCa(flags.acmeCa));
  }
  if (flags.acmeEmail !== undefined && !/^[^\s@:<>,]+@[^\s@:<>,]+\.[^\s@:<>,]+$/.test(flags.acmeEmail))
    throw new UsageError(t.invalidEmail(flags.acmeEmail));
  return { domain, httpPort: Number(httpPort), directoryUrl, extraCa, email: flags.acmeEmail };
}

/** https://DOMAIN, with the port unless it is 443. */
export function domainPublicUrl(domain: string, port: number): string {
  return port === 443 ? `https://${domain}` : `https://${domain}:${port}`;
}

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === "https:";
  } catch {
    return false;
  }
}

export interface DomainTls {
  /** The certificate to serve HTTPS with. */
  readonly certificate: { key: string; cert: string };
  /** Renews while `server` runs and puts each new certificate in without a restart. */
  startRenewing(server: Server, logger: Logger): void;
  close(): Promise<void>;
}

/**
 * Opens the HTTP port and gets the certificate. A failure closes what was
 * opened and throws one sentence in the user's language with the code and
 * the CA's or the system's reason.
 */
export async function openDomainTls(
  options: DomainOptions,
  where: { dataDir: string; host: string; publicUrl: string },
): Promise<DomainTls> {
  const t = messages();
  const { CertificateKeeper, TlsError, openHttpPort } = await import("@bote/server/tls");
  const describe = (error: unknown): Error =>
    error instanceof TlsError
      ? new Error(t.tlsFailed(errorText(error.code, cliLanguage()), error.reason, error.code), { cause: error })
      : (error as Error);
  let httpPort;
  try {
    httpPort = await openHttpPort({ host: where.host, port: options.httpPort, publicUrl: where.publicUrl });
  } catch (error) {
    throw describe(error);
  }
  console.error(t.tlsStarting(options.domain));
  let keeper;
  try {
    keeper = await CertificateKeeper.open({
      dir: join(where.dataDir, "tls"),
      domain: options.domain,
      directoryUrl: options.directoryUrl,
      email: options.email,
      extraCa: options.extraCa,
      challenges: httpPort.challenges,
    });
  } catch (error) {
    await httpPort.close();
    throw describe(error);
  }
  const opened = keeper;
  const port = httpPort;
  return {
    certificate: opened.current,
    startRenewing(server, logger) {
      logger.info({ domain: options.domain, validUntil: opened.validUntil.toISOString() }, "certificate in use");
      opened.startRenewing({
        renewed(pair, validUntil) {
          if (server instanceof TlsServer) server.setSecureContext({ key: pair.key, cert: pair.cert });
          logger.info({ domain: options.domain, validUntil: validUntil.toISOString() }, "certificate renewed");
        },
        failed(error, retryAt) {
          logger.warn(
            { domain: options.domain, code: error.code, reason: error.reason, retryAt: retryAt.toISOString() },
            "certificate renewal failed",
          );
        },
      });
    },
    async close() {
      opened.stop();
      await port.close();
    },
  };
}
