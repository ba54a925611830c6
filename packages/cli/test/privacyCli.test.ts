/**
 * `bote admin person export | erase` and `bote admin privacy` against a
 * real `bote serve` process started with a hosting location and a
 * retention of its own: the export names the person, the erasure needs
 * --confirm and a deactivated person, and the documents state how the
 * server was started.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PersonExportResponse } from "@bote/protocol";
import { bote, boteOk, freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";
import { UsageError } from "../src/messages.js";
import { parseServeOptions, type ServeOptions } from "../src/serve.js";

let root: string;
let server: RunningServer;
const profile = (name: string) => ["--profile", join(root, name)];
const json = (name: string) => [...profile(name), "--json"];

describe("bote admin person and privacy (real server and client processes)", { timeout: 120_000 }, () => {
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "bote-privacy-"));
    const dataDir = join(root, "server");
    server = await startServer(dataDir, await freePort(), [
      "--hosting-location",
      "Hetzner, Falkenstein, Deutschland",
      "--retention-days",
      "14",
      "--org-name",
      "Sanitär Schulz GmbH",
    ]);
    const first = (await readFile(join(dataDir, "initial-admin-invite"), "utf8")).trim();
    await boteOk(["join", first, "--name", "Anna Admin", ...json("anna")]);
    const invited = await boteOk(["admin", "invite", "--name", "Dora Fremd", ...json("anna")]);
    await boteOk(["join", String(invited.lines.find((l) => l.type === "invitation")?.url), ...json("dora")]);
  });

  after(async () => {
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("takes a hosting location of one line and refuses anything else, naming the option", () => {
    const flags = (hostingLocation: string): ServeOptions => ({
      data: join(root, "unused"),
      host: "127.0.0.1",
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
      hostingLocation,
    });
    assert.equal(parseServeOptions(flags("  Hetzner, Nürnberg  ")).hostingLocation, "Hetzner, Nürnberg");
    for (const bad of ["", "Zeile\nzwei", "x".repeat(201)]) {
      assert.throws(
        () => parseServeOptions(flags(bad)),
        (error: unknown) => error instanceof UsageError && /--hosting-location/.test(error.message),
      );
    }
  });

  it("exports a person's server-side rows into an owner-only file", async () => {
    const file = join(root, "dora.json");
    const result = await boteOk(["admin", "person", "export", "Dora Fremd", "--out", file, ...json("anna")]);
    assert.equal(result.lines[0]?.type, "person_exported");
    const exported = JSON.parse(await readFile(file, "utf8")) as PersonExportResponse;
    assert.equal(exported.format, "bote-person-export-v1");
    assert.equal(exported.rows.accounts?.[0]?.display_name, "Dora Fremd");
    assert.equal(exported.rows.devices?.length, 1);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  it("erases only with --confirm and only a deactivated person", async () => {
    const unconfirmed = await bote(["admin", "person", "erase", "Dora Fremd", ...profile("anna")]);
    assert.equal(unconfirmed.code, 2);
    assert.match(unconfirmed.stderr, /endgültig.*--confirm/s);
    const active = await bote(["admin", "person", "erase", "Dora Fremd", "--confirm", ...profile("anna")]);
    assert.equal(active.code, 1);
    assert.match(active.stderr, /noch aktiv/);
    await boteOk(["admin", "deactivate", "Dora Fremd", ...json("anna")]);
    const erased = await boteOk(["admin", "person", "erase", "Dora Fremd", "--confirm", ...json("anna")]);
    assert.equal(erased.lines[0]?.type, "person_erased");
    assert.ok(Number(erased.lines[0]?.tombstoned) >= 3, "invitation, certificate and revocation are tombstones");
    // Her account id, as the erasure printed it, finds nothing any more.
    const accountId = String(erased.lines[0]?.accountId);
    const gone = await bote(["admin", "person", "export", accountId, ...profile("anna")], { lang: "en_GB.UTF-8" });
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no such account/i);
  });

  it("prints and writes the documents as the server was started", async () => {
    const file = join(root, "toms-en.md");
    await boteOk(["admin", "privacy", "toms", "--lang", "en", "--out", file, ...profile("anna")]);
    const toms = await readFile(file, "utf8");
    assert.match(toms, /^# Technical and organisational measures/);
    assert.ok(toms.includes("Hetzner, Falkenstein, Deutschland"));
    assert.ok(toms.includes("at the latest after 14 days"));
    assert.ok(toms.includes("Sanitär Schulz GmbH"));
    assert.ok(toms.includes("secure_delete"));
    const info = await boteOk(["admin", "privacy", "info", ...profile("anna")]);
    assert.match(info.stdout, /Datenschutzinformation/);
    assert.ok(info.stdout.includes("höchstens 14 Tage"));
    const wrong = await bote(["admin", "privacy", "cookies", ...profile("anna")]);
    assert.equal(wrong.code, 2);
    const badLang = await bote(["admin", "privacy", "info", "--lang", "fr", ...profile("anna")]);
    assert.equal(badLang.code, 2);
  });
});
