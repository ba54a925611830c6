/**
 * `bote serve --domain` as a real process against Debian's pebble (a real
 * ACME CA that really fetches the http-01 challenge from Bote's HTTP port):
 * HTTPS with a certificate of pebble's CA for the name, HTTP redirected to
 * it, the certificate and account key owner-only in the data directory,
 * renewed at two thirds of its lifetime while the server runs, reused after
 * a restart. A CA that cannot be reached, a domain it cannot validate, a
 * busy port and bad flags stop the start with a coded sentence, and leave
 * nothing listening.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type PeerCertificate } from "node:tls";
import { pebbleSkipReason, startPebble, type Pebble } from "@bote/testing";
import { bote, freePort, spawnServer, stopServer } from "./support/processes.js";
import { UsageError } from "../src/messages.js";
import { parseServeOptions, type ServeOptions } from "../src/serve.js";

const DOMAIN = "bote.test";
/** Short, so that the renewal at two thirds of it comes while the test watches. */
const VALIDITY_SECONDS = 9;
const skip = pebbleSkipReason();
/** The defaults commander gives `bote serve`. */
const serveDefaults: ServeOptions = {
  data: "./data",
  host: "0.0.0.0",
  natsPrefix: "bote",
  orgName: "Bote",
  sqliteSync: "full",
  logLevel: "info",
  publicRateLimit: "30",
  maxSocketsPerAddress: "50",
  maxSocketsAwaitingHello: "200",
  keyPackageFetchLimit: "60",
  oneTimeKeyPackageLimit: "30",
  inquiryRateLimit: "10",
  contactPointRateLimit: "200",
  proofOfWorkBits: "18",
  retentionDays: "30",
  blobMaxMb: "100",
};

describe("bote serve --domain (ACME against pebble)", { skip, timeout: 120_000 }, () => {
  let pebble: Pebble;
  let httpPort: number;
  const dirs: string[] = [];
  const dataDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), "bote-acme-"));
    dirs.push(dir);
    return dir;
  };

  before(async () => {
    httpPort = await freePort();
    pebble = await startPebble({ httpPort, validitySeconds: VALIDITY_SECONDS });
  });

  after(async () => {
    await pebble?.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  const acmeFlags = () => ["--acme-directory", pebble.directoryUrl, "--acme-ca", pebble.caFile];

  it("serves HTTPS with the CA's certificate for the name, redirects HTTP, renews without a restart", async () => {
    const data = await dataDir();
    const port = await freePort();
    const args = ["--data", data, "--domain", DOMAIN, "--port", String(port), "--http-port", String(httpPort)];
    const server = await spawnServer([...args, ...acmeFlags()]);
    try {
      const publicUrl = `https://${DOMAIN}:${port}`;
      assert.equal(server.url, publicUrl, "the public URL follows from --domain");
      const invitation = await readInvitation(join(data, "initial-admin-invite"));
      assert.ok(invitation.startsWith(`${publicUrl}/join#t=`), "invitations on HTTPS");
      assert.doesNotMatch(server.stderr(), /http:\/\/|127\.0\.0\.1|localhost/, "no other address is printed");

      const root = await pebble.issuingRoot();
      const first = await peerCertificate(port, root);
      assert.match(first.subjectaltname ?? "", new RegExp(`DNS:${DOMAIN.replace(".", "\\.")}`));
      const health = await httpsGet(port, root, "/healthz");
      assert.equal(health.status, 200);
      assert.equal((JSON.parse(health.body) as { publicUrl: string }).publicUrl, publicUrl);

      const redirect = await httpGet(httpPort, "/join?x=1");
      assert.ok(redirect.status === 308 || redirect.status === 301, `redirect status ${redirect.status}`);
      assert.equal(redirect.location, `${publicUrl}/join?x=1`);

      assert.equal((await stat(join(data, "tls"))).mode & 0o777, 0o700);
      for (const file of ["acme-account.json", "certificate.pem", "certificate-key.pem"]) {
        assert.equal((await stat(join(data, "tls", file))).mode & 0o777, 0o600, file);
      }

      // Renewed at two thirds of its lifetime, and served at once by the running process.
      const deadline = Date.now() + VALIDITY_SECONDS * 1000;
      let renewed = first;
      while (renewed.serialNumber === first.serialNumber && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        renewed = await peerCertificate(port, root);
      }
      assert.notEqual(renewed.serialNumber, first.serialNumber, "a new certificate before the old one expires");
      assert.equal(server.child.exitCode, null, "without a restart");

      assert.equal(await stopServer(server), 0);
      const again = await spawnServer([...args, ...acmeFlags()]);
      try {
        const kept = await peerCertificate(port, root);
        assert.equal(kept.serialNumber, renewed.serialNumber, "a restart serves the stored certificate");
      } finally {
        await stopServer(again);
      }
    } finally {
      await stopServer(server);
    }
  });

  it("stops with a coded sentence when the CA cannot be reached or cannot validate, and leaves nothing open", async () => {
    const port = await freePort();
    const unreachable = await bote(
      [
        ...["serve", "--data", await dataDir(), "--host", "127.0.0.1", "--domain", DOMAIN],
        ...["--port", String(port), "--http-port", String(httpPort)],
        ...["--acme-directory", `https://127.0.0.1:${await freePort()}/dir`],
      ],
      { lang: "de_DE.UTF-8" },
    );
    assert.equal(unreachable.code, 1);
    assert.match(
      unreachable.stderr,
      /Bote konnte nicht starten: Die Zertifizierungsstelle \(ACME-Server\) ist nicht erreichbar/,
    );
    assert.match(unreachable.stderr, /\[acme_unreachable\]/);
    assert.equal(await answers(port), false, "no HTTPS port");
    assert.equal(await answers(httpPort), false, "no HTTP port");

    // Pebble fetches the challenge from httpPort, where nothing answers: this Bote listens elsewhere.
    const invalid = await bote(
      [
        ...["serve", "--data", await dataDir(), "--host", "127.0.0.1", "--domain", DOMAIN],
        ...["--port", String(port), "--http-port", String(await freePort()), ...acmeFlags()],
      ],
      { lang: "en_GB.UTF-8" },
    );
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /The certificate authority could not confirm that the domain belongs to this server/);
    assert.match(invalid.stderr, /\[acme_validation_failed\]/);
    assert.equal(await answers(port), false);

    // A failure after the certificate (here the database) ends the process too: the HTTP port keeps nothing alive.
    const noDatabase = await bote(
      [
        ...["serve", "--data", await dataDir(), "--host", "127.0.0.1", "--domain", DOMAIN],
        ...["--port", String(port), "--http-port", String(httpPort), ...acmeFlags()],
        ...["--database", "postgres://nobody@127.0.0.1:1/none"],
      ],
      { lang: "en_GB.UTF-8", timeoutMs: 20_000 },
    );
    assert.equal(noDatabase.code, 1);
    assert.match(noDatabase.stderr, /Bote could not start: connect ECONNREFUSED/);
  });

  it("refuses a busy HTTP port and bad flags, with the flag named", async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const busyPort = (busy.address() as { port: number }).port;
    try {
      const taken = await bote(
        [
          ...["serve", "--data", await dataDir(), "--host", "127.0.0.1", "--domain", DOMAIN],
          ...["--port", String(await freePort()), "--http-port", String(busyPort), ...acmeFlags()],
        ],
        { lang: "en_US.UTF-8" },
      );
      assert.equal(taken.code, 1);
      assert.match(taken.stderr, /A port cannot be opened.*EADDRINUSE.*\[port_unavailable\]/s);
    } finally {
      busy.close();
    }
    // As processes: the exit code and the sentence; the other flags through the same parse gate, in-process.
    const wrong = await bote(["serve", "--domain", "https://bote.test"], { lang: "de_DE.UTF-8" });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /Ungültige Domain „https:\/\/bote\.test“/);
    const alone = await bote(["serve", "--acme-ca", pebble.caFile], { lang: "en_US.UTF-8" });
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--acme-ca only goes with --domain/);
    const cases: [Partial<ServeOptions>, RegExp][] = [
      [{ domain: "192.168.1.5" }, /Ungültige Domain/],
      [{ domain: DOMAIN, publicUrl: "https://x.de" }, /bitte --public-url weglassen/],
      [{ acmeEmail: "anna@example.de" }, /--acme-email gilt nur zusammen mit --domain/],
      [{ domain: DOMAIN, acmeDirectory: "http://ca.example/dir" }, /erwartet wird eine https-URL/],
      [{ domain: DOMAIN, acmeCa: "/nirgends.pem" }, /„\/nirgends\.pem“ für --acme-ca ist keine lesbare Datei/],
      [{ domain: DOMAIN, httpPort: "0" }, /für --http-port/],
      [{ domain: DOMAIN, port: "0" }, /--port 0 geht nicht mit --domain/],
      [{ domain: DOMAIN, acmeEmail: "anna" }, /Ungültige E-Mail-Adresse „anna“/],
    ];
    const language = process.env.LC_ALL;
    process.env.LC_ALL = "de_DE.UTF-8";
    try {
      for (const [flags, message] of cases) {
        assert.throws(
          () => parseServeOptions({ ...serveDefaults, ...flags }),
          (error: unknown) => {
            assert.ok(error instanceof UsageError, JSON.stringify(flags));
            assert.match(error.message, message);
            return true;
          },
        );
      }
      const parsed = parseServeOptions({ ...serveDefaults, domain: "Chat.Example.DE" });
      assert.equal(parsed.publicUrl, "https://chat.example.de", "port 443 by default, and not in the URL");
      assert.equal(parsed.port, 443);
      assert.equal(parsed.domain?.httpPort, 80);
      assert.equal(parsed.domain?.directoryUrl, "https://acme-v02.api.letsencrypt.org/directory");
    } finally {
      if (language === undefined) delete process.env.LC_ALL;
      else process.env.LC_ALL = language;
    }
  });
});

async function readInvitation(path: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const text = await readFile(path, "utf8").catch(() => "");
    if (text.includes("#t=")) return text.trim();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no invitation in ${path}`);
}

function peerCertificate(port: number, ca: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, servername: DOMAIN, ca }, () => {
      // Verified against pebble's root, for this name: connect fails otherwise.
      const certificate = socket.getPeerCertificate();
      socket.end();
      resolve(certificate);
    });
    socket.once("error", reject);
  });
}

async function httpsGet(port: number, ca: string, path: string): Promise<{ status: number; body: string }> {
  const { request } = await import("node:https");
  return new Promise((resolve, reject) => {
    request(
      { host: "127.0.0.1", port, path, servername: DOMAIN, ca, headers: { host: `${DOMAIN}:${port}` } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    )
      .once("error", reject)
      .end();
  });
}

function httpGet(port: number, path: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: "127.0.0.1", port, path, headers: { host: DOMAIN } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, location: res.headers.location });
    })
      .once("error", reject)
      .end();
  });
}

/** Whether anything accepts a TCP connection on the port. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, rejectUnauthorized: false });
    socket.once("secureConnect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code !== "ECONNREFUSED"));
  });
}
