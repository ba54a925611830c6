/**
 * Prometheus metrics under real traffic: joins, logins, a 1:1 send, its
 * duplicate, a send over a socket's rate, a send to a forged capability, a
 * commit of a group, an ack, a rate-limited HTTP request and a bad frame.
 * The scrape is parsed; every counter moved by what the test did, no label
 * is outside a short allow-list, and nothing in it names a device, mailbox,
 * session, organisation, group or person of the test.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { encodeBase64url, isErrorCode, type ErrorBody, type MeResponse } from "@bote/protocol";
import { describeEachBackend, startTestServer, type TestServer } from "./support/server.js";
import { GuestRefused, TestDevice, TestSocket, UpgradeRefused, http } from "./support/device.js";
import { contactPoint } from "./support/orgKeys.js";

const text = (s: string) => new TextEncoder().encode(s);

/** Our labels, and those of prom-client's process metrics (le and quantile of histograms and summaries). */
const allowedLabels = new Set([
  "result",
  "limiter",
  "state",
  "code",
  "le",
  "quantile",
  "kind",
  "space",
  "type",
  "version",
  "major",
  "minor",
  "patch",
]);

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, as far as prom-client writes it: `name{a="x",b="y"} value`. */
function parseExposition(body: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of body.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    const pairs = m[2] ?? "";
    const pair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
    let consumed = 0;
    for (let p = pair.exec(pairs); p !== null; p = pair.exec(pairs)) {
      labels[p[1]!] = p[2]!;
      consumed += p[0].length;
    }
    assert.equal(consumed, pairs.length, `labels parse fully: ${line}`);
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

class Scrape {
  constructor(readonly samples: Sample[]) {}
  /** The value of the one sample with this name and these labels; 0 when there is none. */
  value(name: string, labels: Record<string, string> = {}): number {
    const found = this.samples.filter(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
    assert.ok(found.length <= 1, `one sample of ${name} ${JSON.stringify(labels)}`);
    return found[0]?.value ?? 0;
  }
  /** Every value of the label on samples of this name. */
  labelValues(name: string, label: string): string[] {
    return this.samples.filter((s) => s.name === name && s.labels[label] !== undefined).map((s) => s.labels[label]!);
  }
}

async function scrape(url: string): Promise<{ scrape: Scrape; body: string }> {
  const response = await fetch(`${url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const body = await response.text();
  return { scrape: new Scrape(parseExposition(body)), body };
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeEachBackend("metrics", (backend) => {
  let s: TestServer;
  /** Added to the server's clock: moving past the queue depth's cache without waiting for it. */
  let skewMs = 0;
  const open: TestSocket[] = [];

  before(async () => {
    s = await startTestServer(
      backend,
      (config) => {
        config.metrics.onMainPort = true;
        config.metrics.processMetrics = true;
        // A burst of two sends per socket, so that the third is refused.
        config.sendsPerSecondPerSocket = 1;
        config.rateLimits.keyPackageFetchesPerMinute = 1;
        // One customer inquiry an hour from an address, without the puzzle.
        config.rateLimits.guestsPerAddressPerHour = 1;
        config.proofOfWork.bits = 0;
        // The test's five sockets fit; a sixth from the same address does not.
        config.maxSocketsPerAddress = 5;
      },
      { now: () => Date.now() + skewMs },
    );
  });
  after(async () => {
    await Promise.all(open.map((o) => o.close()));
    await s.close();
  });

  it("counts sends, deliveries, acks, commits, refusals and errors, with no label naming anyone", async () => {
    const admin = await TestDevice.join(s, s.adminInvitationToken, "Anna Admin");
    await admin.login();
    const bob = await TestDevice.join(s, await admin.invite("Bob Baumeister"), "Bob Baumeister");
    await bob.login();
    const me = await admin.call<MeResponse>("GET", "/v1/me");
    const orgId = me.body.organisation.id;

    const { scrape: base } = await scrape(s.url);
    const depthBefore = base.value("bote_queue_depth");
    /** Every error code the test is answered with, as it sees them. */
    const seen = new Map<string, number>();
    const saw = (code: string) => {
      assert.ok(isErrorCode(code), code);
      seen.set(code, (seen.get(code) ?? 0) + 1);
    };

    const inbox = await bob.connect();
    open.push(inbox);
    await inbox.next((f) => f.case === "deliver" && f.value.caughtUp);
    const sender = await admin.connect(true);
    open.push(sender);

    // One token each: ok, the same message again (a duplicate), then over the rate.
    const messageId = new Uint8Array(randomBytes(16));
    assert.equal((await sender.send([bob.address], text("Hallo Bob"), { messageId })).errorCode, "");
    const duplicate = await sender.send([bob.address], text("Hallo Bob"), { messageId });
    assert.equal(duplicate.duplicate, true);
    const overRate = await sender.send([bob.address], text("zu schnell"));
    assert.equal(overRate.errorCode, "rate_limited");
    saw(overRate.errorCode);

    // Entries waiting for Bob's ack: the cached depth first, the new one once the cache is old.
    const [entry] = await inbox.entries(1);
    assert.equal((await scrape(s.url)).scrape.value("bote_queue_depth"), depthBefore, "cached for a few seconds");
    skewMs += 6_000;
    assert.equal((await scrape(s.url)).scrape.value("bote_queue_depth"), depthBefore + 1);

    // A forged capability, and a commit of a group: fresh sockets, fresh tokens.
    const forger = await admin.connect(true);
    open.push(forger);
    const capability = Uint8Array.from(bob.address.capability);
    capability[0]! ^= 1;
    const forged = await forger.send([{ mailboxId: bob.address.mailboxId, capability }], text("x"));
    assert.equal(forged.errorCode, "capability_invalid");
    saw(forged.errorCode);
    const groupId = new Uint8Array(randomBytes(16));
    const committer = await admin.connect(true);
    open.push(committer);
    const commit = await committer.send([bob.address], text("commit"), { commit: { groupId, epoch: 1n } });
    assert.equal(commit.errorCode, "");
    const delivered = [entry!, ...(await inbox.entries(1))];
    inbox.ack(delivered.map((e) => e.entryId));
    await waitFor(async () => (await scrape(s.url)).scrape.value("bote_acks_total") === 2, "the acks");

    // An HTTP request over its limit (one key package fetch a minute per account).
    for (let i = 0; i < 2; i++) {
      const r = await admin.call<ErrorBody>("GET", `/v1/accounts/${encodeBase64url(bob.accountId)}/key-packages`);
      if (r.status >= 400) saw(r.body.error.code);
    }
    assert.equal(seen.get("rate_limited"), 2, "the second fetch was refused");

    // A second inquiry from the address within the hour.
    const cp = contactPoint(admin.organisation.key, {
      slug: "metrics-anfragen",
      staff: [bob.accountId],
      issuedBy: admin.accountId,
    });
    assert.equal((await admin.postStatements([{ kind: "contactPoint", contactPoint: cp }])).status, 200);
    const guestFields = { organisationKey: admin.organisation.key.publicKey, contactPointId: cp.contactPointId };
    const guest = await TestDevice.guest(s, cp.slug, guestFields);
    const second = await TestDevice.guest(s, cp.slug, guestFields).then(
      () => undefined,
      (refused: unknown) => refused,
    );
    assert.ok(second instanceof GuestRefused);
    saw((second.result.body as ErrorBody).error.code);

    // A frame that is no protobuf: an error frame, the socket stays.
    const broken = await admin.connect(true);
    open.push(broken);
    broken.sendRaw(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
    const error = await broken.next((f) => f.case === "error");
    assert.ok(error.case === "error");
    saw(error.value.code);
    const sixth = await TestSocket.open(s.wsUrl).then(
      (socket) => socket,
      (refused: unknown) => refused,
    );
    assert.ok(sixth instanceof UpgradeRefused, "the sixth socket of the address is refused");
    assert.equal(sixth.status, 429);
    saw(sixth.code);

    skewMs += 6_000;
    const { scrape: now, body } = await scrape(s.url);
    const delta = (name: string, labels: Record<string, string> = {}) =>
      now.value(name, labels) - base.value(name, labels);
    assert.equal(delta("bote_sends_total", { result: "ok" }), 2);
    assert.equal(delta("bote_sends_total", { result: "duplicate" }), 1);
    assert.equal(delta("bote_sends_total", { result: "rate_limited" }), 1);
    assert.equal(delta("bote_sends_total", { result: "rejected" }), 1);
    assert.equal(delta("bote_sends_total", { result: "partial" }), 0);
    assert.equal(delta("bote_sends_total", { result: "failed" }), 0);
    assert.equal(delta("bote_deliveries_total"), 2);
    assert.equal(delta("bote_acks_total"), 2);
    assert.equal(delta("bote_rate_limited_total", { limiter: "ws" }), 1);
    assert.equal(delta("bote_rate_limited_total", { limiter: "http" }), 1);
    assert.equal(delta("bote_rate_limited_total", { limiter: "upgrade" }), 1);
    assert.equal(delta("bote_rate_limited_total", { limiter: "inquiry" }), 1);
    // The send, its duplicate, the commit and the ack: one batch each, as the test waits for each.
    assert.ok(delta("bote_batch_commit_seconds_count") >= 4, "batch commits timed");
    assert.ok(delta("bote_batch_commit_seconds_sum") > 0);
    assert.equal(now.value("bote_queue_depth"), depthBefore, "acknowledged entries left the queue");
    assert.equal(now.value("bote_sockets", { state: "receiving" }), 1);
    assert.equal(now.value("bote_sockets", { state: "sending" }), 4);
    assert.equal(now.value("bote_sockets", { state: "hello" }), 0);
    const counted = new Map(now.labelValues("bote_errors_total", "code").map((c) => [c, 0]));
    for (const code of counted.keys()) counted.set(code, delta("bote_errors_total", { code }));
    for (const [code, n] of [...counted]) if (n === 0) counted.delete(code);
    assert.deepEqual(Object.fromEntries(counted), Object.fromEntries(seen), "every error code answered, once");
    assert.ok(now.value("nodejs_heap_size_total_bytes") > 0, "the process metrics are there");

    for (const sample of now.samples) {
      for (const label of Object.keys(sample.labels)) {
        assert.ok(allowedLabels.has(label), `label ${label} of ${sample.name} is allowed`);
      }
    }
    const secrets: [string, string][] = [["organisation", orgId]];
    const bytes: [string, Uint8Array][] = [
      ["admin device", admin.deviceId],
      ["bob device", bob.deviceId],
      ["admin account", admin.accountId],
      ["bob account", bob.accountId],
      ["admin mailbox", admin.address.mailboxId],
      ["bob mailbox", bob.address.mailboxId],
      ["guest device", guest.deviceId],
      ["guest account", guest.accountId],
      ["guest mailbox", guest.address.mailboxId],
      ["contact point", cp.contactPointId],
      ["group", groupId],
      ["message", messageId],
    ];
    for (const [what, value] of bytes) {
      secrets.push([`${what} (base64url)`, encodeBase64url(value)]);
      secrets.push([`${what} (hex)`, Buffer.from(value).toString("hex")]);
    }
    secrets.push(["admin session", admin.token], ["bob session", bob.token]);
    secrets.push(["admin name", "Anna Admin"], ["bob name", "Bob Baumeister"], ["organisation name", "Testbau"]);
    secrets.push(["contact point slug", cp.slug]);
    for (const [what, value] of secrets) {
      assert.ok(value.length >= 6, what);
      assert.ok(!body.includes(value), `the scrape does not carry the ${what}`);
      for (const sample of now.samples) {
        for (const label of Object.values(sample.labels)) {
          assert.ok(!label.includes(value), `no label value carries the ${what}`);
        }
      }
    }
  });

  it("serves /metrics on a port of its own when asked, and closes it with the app", async () => {
    const other = await startTestServer(backend);
    let closed = false;
    try {
      const main = await http<ErrorBody>(other, "GET", "/metrics");
      assert.equal(main.status, 404, "not on the main port unless asked for");
      assert.equal(main.body.error.code, "not_found");
      const listener = await other.server.metrics.listen({ port: 0, host: "127.0.0.1" });
      const address = listener.address();
      assert.ok(address !== null && typeof address === "object");
      const url = `http://127.0.0.1:${address.port}`;
      const { scrape: separate } = await scrape(url);
      assert.equal(separate.value("bote_sends_total", { result: "ok" }), 0);
      assert.equal(separate.value("nodejs_heap_size_total_bytes"), 0, "process metrics only when configured");
      assert.equal((await fetch(`${url}/v1/me`)).status, 404, "nothing else is served there");
      assert.equal((await fetch(`${url}/metrics`, { method: "POST" })).status, 404);
      await other.close();
      closed = true;
      await assert.rejects(fetch(`${url}/metrics`), "closed with the app");
    } finally {
      if (!closed) await other.close();
    }
  });
});
