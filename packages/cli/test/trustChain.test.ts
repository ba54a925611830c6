/**
 * The trust chain as an attacker meets it, over a real `bote serve` process
 * with SDK clients in this process. The test plays the server operator: it
 * holds a used invitation link and writes the server's SQLite file directly
 * (a planted device with a mailbox and a key package under a colleague's
 * account). Then it plays the admin who removes a leaving employee, and the
 * former admin who kept an old copy of the organisation key.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import Database from "better-sqlite3";
import { BoteClient, ClientError } from "@bote/client";
import {
  certifyAccount,
  certifyAccountByInvitation,
  certifyDevice,
  createDevice,
  createInvitation,
  createSigningKey,
  credentialFromCertificates,
  DEFAULT_CIPHERSUITE,
  evaluateCredential,
  generateKeyPackageBundle,
  generateSignatureKeyPair,
  parseInvitationLink,
  type MessageRecord,
} from "@bote/core";
import {
  decodeBase64url,
  decodeContent,
  encodeBase64url,
  encodeDeviceCertificate,
  type AccountCertificate,
} from "@bote/protocol";
import { joinClient } from "./support/sdkClient.js";
import { freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

let root: string;
let dataDir: string;
let server: RunningServer;
const clients: BoteClient[] = [];
const b = (text: string) => {
  const bytes = decodeBase64url(text);
  assert.ok(bytes);
  return bytes;
};

async function joinAs(name: string, link: string): Promise<BoteClient> {
  const client = await joinClient(root, name, link);
  clients.push(client);
  return client;
}

function text(message: MessageRecord): string {
  if (message.kind !== "content") return "";
  const content = decodeContent(message.body);
  return content.body.case === "text" ? content.body.value.text : "";
}

async function eventually(what: string, check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The operator's hand in the server's database, while the server runs. */
function database(): Database.Database {
  const db = new Database(joinPath(dataDir, "bote.sqlite"));
  db.pragma("busy_timeout = 5000");
  return db;
}

/**
 * Plants a device with a mailbox and a one-time key package under `accountId`,
 * carrying the credential the attacker could make.
 */
async function plantDevice(
  accountId: string,
  accountCertificate: AccountCertificate,
  accountKey: ReturnType<typeof createSigningKey>,
): Promise<Uint8Array> {
  const signatureKeyPair = await generateSignatureKeyPair(DEFAULT_CIPHERSUITE);
  const deviceCertificate = certifyDevice(
    accountCertificate.accountId,
    accountKey,
    signatureKeyPair.publicKey,
    new Date(),
  );
  const mailboxId = randomBytes(16);
  const device = createDevice({
    signatureKeyPair,
    accountCertificate,
    deviceCertificate,
    deliveryAddress: { mailboxId, capability: randomBytes(33) },
  });
  const bundle = await generateKeyPackageBundle(device);
  const db = database();
  try {
    const deviceId = randomBytes(16);
    db.prepare("INSERT INTO devices (id, account_id, public_key, created_at, certificate) VALUES (?, ?, ?, ?, ?)").run(
      deviceId,
      b(accountId),
      Buffer.from(signatureKeyPair.publicKey),
      Date.now(),
      Buffer.from(encodeDeviceCertificate(deviceCertificate)),
    );
    db.prepare("INSERT INTO mailboxes (id, device_id, retired) VALUES (?, ?, 0)").run(mailboxId, deviceId);
    db.prepare("INSERT INTO key_packages (device_id, data, last_resort) VALUES (?, ?, 0)").run(
      deviceId,
      Buffer.from(bundle.keyPackage),
    );
  } finally {
    db.close();
  }
  return signatureKeyPair.publicKey;
}

describe("the trust chain under attack", { timeout: 240_000 }, () => {
  let anna: BoteClient;
  let bernd: BoteClient;
  let carla: BoteClient;
  let berndLink: string;

  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-trust-"));
    dataDir = joinPath(root, "server");
    server = await startServer(dataDir, await freePort());
    anna = await joinAs("anna", (await readFile(joinPath(dataDir, "initial-admin-invite"), "utf8")).trim());
    berndLink = (await anna.createInvitation("member", "Bernd Bau")).url;
    bernd = await joinAs("bernd", berndLink);
    carla = await joinAs("carla", (await anna.createInvitation("member", "Carla Chef")).url);
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("an admin device confirms a redeemed invitation with a direct certificate on its own", async () => {
    await anna.syncOrganisation();
    await anna.idle();
    await eventually("Bernd and Carla confirmed directly", async () => {
      const members = await carla.organisationMembers();
      const named = members.filter((m) => m.displayName === "Bernd Bau" || m.displayName === "Carla Chef");
      return named.length === 2 && named.every((m) => m.confirmed && !m.provisional);
    });
    const berndEntry = (await carla.directory()).find((d) => d.displayName === "Bernd Bau");
    assert.equal(berndEntry?.role, "member");
  });

  it("a used member link plants no device that any colleague trusts as the admin or as its owner", async () => {
    const used = parseInvitationLink(berndLink);
    assert.ok(used.ok && used.value.invitation !== undefined);
    const { certificate, invitationSignKey } = used.value.invitation;
    const annaId = anna.profile.accountId;
    const now = new Date();
    // (a) The review's attack: the used link's key certifies {Anna's id, "Anna Admin", attacker key}.
    const attackerKey = createSigningKey();
    const forged = certifyAccountByInvitation(
      { ...certificate, accountId: b(annaId), displayName: "Anna Admin", role: "admin" },
      invitationSignKey,
      attackerKey.publicKey,
      now,
    );
    const plantedA = await plantDevice(
      annaId,
      { ...forged, issuer: { kind: "invitation", invitation: certificate } },
      attackerKey,
    );
    // (b) Anna's own account certificate, with a device certificate by a key that is not Anna's.
    const annaCertificate = anna.device.credential.accountCertificate;
    const otherKey = createSigningKey();
    const plantedB = await plantDevice(annaId, { ...annaCertificate, accountKey: otherKey.publicKey }, otherKey);
    // (c) A second account key for Bernd, made with his own (still unexpired) invitation key.
    const secondKey = createSigningKey();
    const second = certifyAccountByInvitation(certificate, invitationSignKey, secondKey.publicKey, now);
    const plantedC = await plantDevice(bernd.profile.accountId, second, secondKey);

    const warnings: string[] = [];
    carla.on("contact", (c) => {
      if (c.keyChanged) warnings.push(c.contact.displayName);
    });
    // Carla makes a new group with Anna and Bernd: only their real devices are in it.
    const group = await carla.createGroup("Baustelle Süd", [annaId, bernd.profile.accountId]);
    const keys = (await carla.members(group.conversationId)).map((m) => encodeBase64url(m.credential.devicePublicKey));
    assert.equal(keys.length, 3);
    for (const planted of [plantedA, plantedB, plantedC]) {
      assert.ok(!keys.includes(encodeBase64url(planted)), "a planted device is not in the group");
    }
    assert.ok(keys.includes(encodeBase64url(anna.device.credential.devicePublicKey)));
    assert.ok(warnings.includes("Bernd Bau"), "the second key for Bernd is shown as a key change");
    // No planted key carries the organisation's confirmation in Carla's contacts.
    for (const accountId of [annaId, bernd.profile.accountId]) {
      const contact = await carla.store.getContact(accountId);
      for (const planted of [plantedA, plantedB, plantedC]) {
        const seen = contact?.devices.find((d) => d.devicePublicKey === encodeBase64url(planted));
        assert.notEqual(seen?.trust, "organisation");
      }
    }
    // The real Anna joins the group and reads it; it holds no device of the attacker.
    const arrived = new Promise<MessageRecord>((resolve) => {
      const off = anna.on("message", (m) => {
        if (m.conversationId === group.conversationId && text(m) === "Angebot bis Freitag") {
          off();
          resolve(m);
        }
      });
    });
    await carla.sendText(group.conversationId, "Angebot bis Freitag");
    await arrived;
    const annaKeys = (await anna.members(group.conversationId)).map((m) =>
      encodeBase64url(m.credential.devicePublicKey),
    );
    assert.deepEqual(annaKeys.sort(), keys.sort());
    // Clean up what the operator planted, so the next steps see the real organisation.
    const db = database();
    for (const planted of [plantedA, plantedB, plantedC]) {
      db.prepare("DELETE FROM devices WHERE public_key = ?").run(Buffer.from(planted));
    }
    db.close();
  });

  it("an expired invitation certificate and another organisation's certificate confirm nobody", () => {
    const view = carla.organisation;
    const orgKey = createSigningKey();
    const expired = createInvitation(
      orgKey,
      { accountId: randomBytes(16), displayName: "Eve", role: "member" },
      { expiresAt: new Date(Date.now() - 3_600_000), issuedBy: randomBytes(16) },
    );
    const eveKey = createSigningKey();
    const device = createSigningKey();
    const eve = credentialFromCertificates(
      certifyAccountByInvitation(expired.certificate, expired.signKey, eveKey.publicKey, new Date()),
      certifyDevice(expired.certificate.accountId, eveKey, device.publicKey, new Date()),
    );
    assert.equal(evaluateCredential(view, eve, new Date()).verdict.status, "unconfirmed");
  });

  it("a deactivated colleague is out within seconds: socket closed, login refused, groups without her, data gone", async () => {
    const group = await anna.createGroup("Büro", [bernd.profile.accountId, carla.profile.accountId]);
    await eventually(
      "Carla joined the group",
      async () => (await carla.store.getConversation(group.conversationId)) !== undefined,
    );
    await carla.connect();
    const deactivated = new Promise<string>((resolve) => carla.on("deactivated", (e) => resolve(e.reason)));
    const closed = new Promise<void>((resolve) =>
      carla.on("connection", (state) => {
        if (state !== "open") resolve();
      }),
    );
    const carlaDevice = carla.device.credential.devicePublicKey;
    const started = Date.now();
    await anna.deactivate(carla.profile.accountId);
    await closed;
    assert.ok(Date.now() - started < 5_000, "her socket closed at once");
    // Her next login is refused with a code of its own, and the app knows it is deactivated.
    await assert.rejects(carla.connect(), (e: unknown) => e instanceof ClientError && e.code === "device_revoked");
    // Cut off before it could read the log, the device knows that it was deactivated, not yet why.
    assert.ok(["account", "device"].includes(await deactivated));
    // Every remaining member's copy of the group no longer holds her.
    const withoutCarla = async (client: BoteClient) =>
      (await client.members(group.conversationId)).every(
        (m) => encodeBase64url(m.credential.devicePublicKey) !== encodeBase64url(carlaDevice),
      );
    await bernd.connect();
    await eventually(
      "Carla removed on Anna's and Bernd's devices",
      async () => (await withoutCarla(anna)) && (await withoutCarla(bernd)),
    );
    // The next message reaches Bernd, and Carla's device could not even fetch it.
    const reached = new Promise<void>((resolve) =>
      bernd.on("message", (m) => {
        if (text(m) === "Ohne Carla") resolve();
      }),
    );
    await anna.sendText(group.conversationId, "Ohne Carla");
    await reached;
    // The server's tables hold no mailbox, key package, session or device of hers.
    const db = database();
    try {
      const deviceRows = db.prepare("SELECT id FROM devices WHERE account_id = ?").all(b(carla.profile.accountId));
      assert.deepEqual(deviceRows, []);
      assert.equal(
        (
          db
            .prepare("SELECT count(*) AS n FROM revoked_devices WHERE public_key = ?")
            .get(Buffer.from(carlaDevice)) as {
            n: number;
          }
        ).n,
        1,
      );
      const mailbox = Buffer.from(carla.device.deliveryAddress.mailboxId);
      assert.equal((db.prepare("SELECT count(*) AS n FROM mailboxes WHERE id = ?").get(mailbox) as { n: number }).n, 0);
      assert.equal(
        (db.prepare("SELECT count(*) AS n FROM entries WHERE mailbox_id = ?").get(mailbox) as { n: number }).n,
        0,
      );
      assert.equal(
        (
          db.prepare("SELECT count(*) AS n FROM key_packages WHERE device_id = ?").get(b(carla.profile.deviceId)) as {
            n: number;
          }
        ).n,
        0,
      );
      assert.equal(
        (
          db.prepare("SELECT count(*) AS n FROM sessions WHERE device_id = ?").get(b(carla.profile.deviceId)) as {
            n: number;
          }
        ).n,
        0,
      );
    } finally {
      db.close();
    }
  });

  it("a new admin gets the organisation key end to end; after demotion and a rotation the old key certifies nobody", async () => {
    await anna.setRole(bernd.profile.accountId, "admin");
    await anna.idle();
    await eventually("Bernd received the organisation key", async () => {
      await bernd.sync();
      return bernd.profile.organisationSignKey !== undefined;
    });
    const oldKey = bernd.profile.organisationSignKey!;
    // As an admin, Bernd can invite.
    const dora = await joinAs("dora", (await bernd.createInvitation("member", "Dora Dach")).url);
    assert.equal(dora.profile.role, "member");
    // Anna demotes him and rotates the key: his copy of the old key loses all power.
    await anna.setRole(bernd.profile.accountId, "member");
    await anna.rotateOrganisationKey();
    await bernd.syncOrganisation();
    await assert.rejects(
      bernd.createInvitation("member", "Mallory"),
      (e: unknown) => e instanceof ClientError && e.code === "not_admin",
    );
    const publicKey = bernd.organisation.rotations[0]?.previousKey;
    assert.ok(publicKey);
    const oldOrg = { signKey: oldKey, publicKey };
    const malloryId = randomBytes(16);
    const malloryKey = createSigningKey();
    const device = createSigningKey();
    const mallory = credentialFromCertificates(
      certifyAccount(
        oldOrg,
        { accountId: malloryId, displayName: "Mallory", role: "admin", accountKey: malloryKey.publicKey },
        { issuedBy: b(bernd.profile.accountId), now: new Date() },
      ),
      certifyDevice(malloryId, malloryKey, device.publicKey, new Date()),
    );
    await dora.syncOrganisation();
    assert.equal(evaluateCredential(dora.organisation, mallory, new Date()).verdict.status, "unconfirmed");
    // Colleagues stay confirmed under the new key.
    const entries = await dora.directory();
    assert.ok(entries.filter((e) => e.displayName !== "Carla Chef").every((e) => e.confirmed));
  });

  it("no link, log line or server file ever holds an organisation private key", async () => {
    const keys = [anna.profile.organisationSignKey!];
    const needles = keys.flatMap((k) => [
      Buffer.from(k),
      Buffer.from(encodeBase64url(k)),
      Buffer.from(Buffer.from(k).toString("hex")),
    ]);
    const files = (await readdir(dataDir)).filter(
      (f) => f.startsWith("bote.sqlite") || f.endsWith(".json") || f === "initial-admin-invite",
    );
    assert.ok(files.includes("bote.sqlite"));
    for (const file of files) {
      const bytes = await readFile(joinPath(dataDir, file));
      for (const needle of needles) assert.equal(bytes.includes(needle), false, `${file} holds an organisation key`);
    }
    const logs = Buffer.from(server.stdout() + server.stderr());
    for (const needle of needles)
      assert.equal(logs.includes(needle), false, "the server log holds an organisation key");
    for (const link of [berndLink]) {
      for (const k of keys) assert.ok(!link.includes(encodeBase64url(k)));
    }
  });
});
