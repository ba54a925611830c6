/**
 * The certificate of `bote serve --domain`: kept in DATA/tls (owner-only),
 * taken from there while it covers the domain and has more than a third of
 * its lifetime left, else obtained from the CA; renewed at two thirds of
 * its lifetime while the server runs. A failed renewal keeps the old
 * certificate and tries again, sooner as its expiry comes closer.
 */
import { X509Certificate } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import {
  createAccountKey,
  obtainCertificate,
  type AcmeAccount,
  type CertificatePair,
  type ObtainOptions,
} from "./obtainCertificate.js";
import { TlsError } from "./AcmeError.js";

export interface KeeperOptions {
  /** DATA/tls: the ACME account key and the certificate with its key. */
  readonly dir: string;
  readonly domain: string;
  readonly directoryUrl: string;
  readonly email: string | undefined;
  readonly extraCa: string | undefined;
  readonly challenges: Map<string, string>;
  readonly now?: () => number;
}

export interface RenewalEvents {
  renewed(pair: CertificatePair, validUntil: Date): void;
  failed(error: TlsError, retryAt: Date): void;
}

const ACCOUNT_FILE = "acme-account.json";
const CERT_FILE = "certificate.pem";
const KEY_FILE = "certificate-key.pem";
const accountSchema = z.strictObject({
  directoryUrl: z.string(),
  accountKey: z.string().max(10_000),
  accountUrl: z.string().max(2_000).optional(),
});
const HOUR = 3_600_000;
/** setTimeout holds at most 2^31 - 1 ms; a longer wait is taken in steps of a day. */
const LONGEST_WAIT = 24 * HOUR;

export class CertificateKeeper {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: KeeperOptions,
    private account: AcmeAccount,
    private pair: CertificatePair,
    private times: Lifetime,
  ) {}

  /** The stored certificate if it is still good for this domain and CA, or a new one. Throws TlsError. */
  static async open(options: KeeperOptions): Promise<CertificateKeeper> {
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const now = (options.now ?? Date.now)();
    const stored = await readAccount(options.dir);
    const sameCa = stored?.directoryUrl === options.directoryUrl;
    const account: AcmeAccount = sameCa
      ? stored
      : { directoryUrl: options.directoryUrl, accountKey: await createAccountKey() };
    if (!sameCa) await writePrivate(join(options.dir, ACCOUNT_FILE), JSON.stringify(account));
    const kept = sameCa ? await readPair(options.dir) : undefined;
    const keptTimes = kept === undefined ? undefined : lifetimeFor(kept.cert, options.domain);
    if (kept !== undefined && keptTimes !== undefined && now < keptTimes.renewAt) {
      return new CertificateKeeper(options, account, kept, keptTimes);
    }
    const obtained = await obtainAndStore(options, account);
    return new CertificateKeeper(options, obtained.account, obtained.pair, lifetimeOf(obtained.pair.cert));
  }

  get current(): CertificatePair {
    return this.pair;
  }

  get validUntil(): Date {
    return new Date(this.times.notAfter);
  }

  /** Renews at two thirds of the lifetime, and again after every renewal, until stop(). */
  startRenewing(events: RenewalEvents): void {
    this.schedule(this.times.renewAt, events);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(at: number, events: RenewalEvents): void {
    const now = (this.options.now ?? Date.now)();
    this.timer = setTimeout(
      () => {
        if ((this.options.now ?? Date.now)() < at) return this.schedule(at, events);
        void this.renew(events);
      },
      Math.min(Math.max(at - now, 0), LONGEST_WAIT),
    );
    // The renewal never keeps a stopping server alive.
    this.timer.unref();
  }

  private async renew(events: RenewalEvents): Promise<void> {
    try {
      const { pair, account } = await obtainAndStore(this.options, this.account);
      this.account = account;
      this.pair = pair;
      this.times = lifetimeOf(pair.cert);
      events.renewed(pair, this.validUntil);
      if (this.timer !== undefined) this.schedule(this.times.renewAt, events);
    } catch (error) {
      const now = (this.options.now ?? Date.now)();
      // An hour apart, or a tenth of what is left when that is less (at least a few seconds).
      const retryAt = now + Math.min(HOUR, Math.max(5_000, (this.times.notAfter - now) / 10));
      const failure = error instanceof TlsError ? error : new TlsError("acme_failed", String(error), { cause: error });
      events.failed(failure, new Date(retryAt));
      if (this.timer !== undefined) this.schedule(retryAt, events);
    }
  }
}

interface Lifetime {
  readonly notAfter: number;
  readonly renewAt: number;
}

function lifetimeOf(cert: string): Lifetime {
  const x509 = new X509Certificate(cert);
  const notBefore = Date.parse(x509.validFrom);
  const notAfter = Date.parse(x509.validTo);
  return { notAfter, renewAt: notBefore + ((notAfter - notBefore) * 2) / 3 };
}

/** The lifetime of a stored certificate that names `domain`; undefined for anything else or garbage. */
function lifetimeFor(cert: string, domain: string): Lifetime | undefined {
  try {
    const x509 = new X509Certificate(cert);
    if (x509.checkHost(domain, { wildcards: false }) === undefined) return undefined;
    return lifetimeOf(cert);
  } catch {
    return undefined;
  }
}

async function obtainAndStore(
  options: KeeperOptions,
  account: AcmeAccount,
): Promise<{ pair: CertificatePair; account: AcmeAccount }> {
  const request: ObtainOptions = {
    domain: options.domain,
    account,
    email: options.email,
    extraCa: options.extraCa,
    challenges: options.challenges,
  };
  const { accountUrl, ...pair } = await obtainCertificate(request);
  const known = account.accountUrl === accountUrl ? account : { ...account, accountUrl };
  if (known !== account) await writePrivate(join(options.dir, ACCOUNT_FILE), JSON.stringify(known));
  if (lifetimeFor(pair.cert, options.domain) === undefined) {
    throw new TlsError("acme_failed", `the CA's certificate does not name ${options.domain}`);
  }
  // The key first: a certificate on disk always has its key beside it.
  await writePrivate(join(options.dir, KEY_FILE), pair.key);
  await writePrivate(join(options.dir, CERT_FILE), pair.cert);
  return { pair, account: known };
}

async function readAccount(dir: string): Promise<AcmeAccount | undefined> {
  const text = await readFile(join(dir, ACCOUNT_FILE), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const { accountUrl, ...account } = accountSchema.parse(JSON.parse(text));
    return accountUrl === undefined ? account : { ...account, accountUrl };
  } catch {
    // A garbled account file: a new account at the CA costs nothing and loses nothing.
    return undefined;
  }
}

async function readPair(dir: string): Promise<CertificatePair | undefined> {
  const [key, cert] = await Promise.all([
    readFile(join(dir, KEY_FILE), "utf8").catch(() => undefined),
    readFile(join(dir, CERT_FILE), "utf8").catch(() => undefined),
  ]);
  return key === undefined || cert === undefined ? undefined : { key, cert };
}

/** Written beside, then renamed over: a crash leaves the old file or the new one, never half of one. */
async function writePrivate(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, path);
}
