/**
 * Debian's `pebble`, the ACME test CA of Let's Encrypt, for the tests of
 * `bote serve --domain`: its own configuration on free ports, its HTTPS
 * listener under a throw-away CA made with openssl (`caFile`, what
 * `--acme-ca` trusts), and `pebble-challtestsrv` as its DNS server, which
 * answers every name with 127.0.0.1: so pebble really validates http-01 by
 * fetching the challenge from the `--http-port` it is given. Skips without
 * pebble, and fails under CI=true.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, get } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./freePort.js";

export const PEBBLE = "/usr/bin/pebble";
const CHALLTESTSRV = "/usr/bin/pebble-challtestsrv";

/** undefined when pebble and openssl are here; otherwise the reason to skip (printed). */
export function pebbleSkipReason(): string | undefined {
  const missing = [PEBBLE, CHALLTESTSRV].filter((path) => !existsSync(path));
  if (spawnSync("openssl", ["version"]).status !== 0) missing.push("openssl");
  if (missing.length === 0) return undefined;
  const reason = `${missing.join(", ")} missing (apt-get install -y --no-install-recommends pebble openssl)`;
  if (process.env.CI === "true") throw new Error(`${reason} (CI=true: the ACME tests must run)`);
  console.log(`# skipping ACME tests: ${reason}`);
  return reason;
}

export interface Pebble {
  /** The ACME directory, for --acme-directory. */
  readonly directoryUrl: string;
  /** PEM file of the CA of pebble's own HTTPS listener, for --acme-ca. */
  readonly caFile: string;
  /** PEM of the root that signs the certificates pebble issues (made fresh at each start). */
  issuingRoot(): Promise<string>;
  stop(): Promise<void>;
}

export interface PebbleOptions {
  /** The port pebble fetches http-01 challenges from (bote's --http-port). */
  readonly httpPort: number;
  /** Lifetime of the certificates it issues, in seconds (default: pebble's, five years). */
  readonly validitySeconds?: number;
}

export async function startPebble(options: PebbleOptions): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), "bote-pebble-"));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const caFile = makeListenerCertificate(dir);
    const [acmePort, managementPort, dnsPort, dnsManagement] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    children.push(
      await spawnReady(
        CHALLTESTSRV,
        [
          ...["-dns01", `127.0.0.1:${dnsPort}`, "-management", `127.0.0.1:${dnsManagement}`],
          ...["-http01", "", "-https01", "", "-tlsalpn01", "", "-defaultIPv6", "", "-defaultIPv4", "127.0.0.1"],
        ],
        {},
        /Answering A questions with 127\.0\.0\.1|Starting management server/,
      ),
    );
    const config = {
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: join(dir, "listener.pem"),
        privateKey: join(dir, "listener-key.pem"),
        httpPort: options.httpPort,
        tlsPort: await freePort(),
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
        ...(options.validitySeconds === undefined ? {} : { certificateValidityPeriod: options.validitySeconds }),
      },
    };
    writeFileSync(join(dir, "pebble.json"), JSON.stringify(config));
    children.push(
      await spawnReady(
        PEBBLE,
        ["-config", join(dir, "pebble.json"), "-dnsserver", `127.0.0.1:${dnsPort}`],
        // No artificial sleeps, no nonces refused at random: the test is about Bote, not pebble's chaos.
        { PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0" },
        /ACME directory available at/,
      ),
    );
    const agent = new Agent({ ca: readFileSync(caFile, "utf8") });
    return {
      directoryUrl: `https://127.0.0.1:${acmePort}/dir`,
      caFile,
      issuingRoot: () => fetchText(`https://127.0.0.1:${managementPort}/roots/0`, agent),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A CA and a certificate for 127.0.0.1 signed by it: pebble's HTTPS listener. */
function makeListenerCertificate(dir: string): string {
  const caKey = join(dir, "ca-key.pem");
  const ca = join(dir, "ca.pem");
  const ext = join(dir, "listener.ext");
  writeFileSync(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  openssl([
    "req",
    "-x509",
    ...ec,
    "-keyout",
    caKey,
    "-out",
    ca,
    "-days",
    "2",
    "-subj",
    "/CN=Bote test ACME listener CA",
  ]);
  const csr = join(dir, "listener.csr");
  openssl(["req", ...ec, "-keyout", join(dir, "listener-key.pem"), "-out", csr, "-subj", "/CN=127.0.0.1"]);
  openssl([
    ...["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", caKey, "-CAcreateserial"],
    ...["-out", join(dir, "listener.pem"), "-days", "2", "-extfile", ext],
  ]);
  return ca;
}

function openssl(args: string[]): void {
  const result = spawnSync("openssl", args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
}

function spawnReady(
  command: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<ChildProcess> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} did not start within 10 s: ${output}`));
    }, 10_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}: ${output}`));
    });
  });
}

function fetchText(url: string, agent: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () =>
        response.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${response.statusCode}`)),
      );
    }).once("error", reject);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
