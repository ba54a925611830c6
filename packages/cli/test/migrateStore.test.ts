/**
 * `bote migrate-store`: an installation on SQLite, with joined devices,
 * messages and a file waiting for Bernd, moves to PostgreSQL; a server on
 * the new database with the same data directory (secrets, VAPID keys)
 * delivers them when Bernd logs in. The copy refuses a target with rows, a
 * source of another schema version, and bad arguments.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import Database from "better-sqlite3";
import { createTestDatabase, postgresSkipReason, type TestDatabase } from "@bote/testing";
import { freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";
import {
  berndReceives,
  downloaded,
  joinPair,
  line,
  sendRandomFile,
  sendText,
  type Pair,
  boteHere,
} from "./support/operations.js";

const skip = await postgresSkipReason();

describe("bote migrate-store", { skip, timeout: 90_000 }, () => {
  let root: string;
  let dataDir: string;
  let port: number;
  let server: RunningServer | undefined;
  let pair: Pair;
  let file: Buffer;
  const databases: TestDatabase[] = [];

  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase();
    databases.push(db);
    return db;
  }

  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-migrate-"));
    dataDir = joinPath(root, "server");
    port = await freePort();
    server = await startServer(dataDir, port);
    pair = await joinPair(root, dataDir);
    await sendText(pair, "Vor dem Umzug");
    file = await sendRandomFile(pair, 300_000, "Der Plan");
    await sendText(pair, "Nach der Datei");
    await stopServer(server);
    server = undefined;
  });

  after(async () => {
    await pair?.anna.close().catch(() => undefined);
    await pair?.bernd.close().catch(() => undefined);
    if (server !== undefined) await stopServer(server);
    for (const db of databases) await db.drop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });

  it("bad arguments exit 2 with a sentence", async () => {
    const noTarget = await boteHere(["migrate-store", "--from", dataDir]);
    assert.equal(noTarget.code, 2);
    assert.match(noTarget.stderr, /Es fehlt --to/);
    const notPostgres = await boteHere(["migrate-store", "--from", dataDir, "--to", "mysql://db/bote"], "en_GB.UTF-8");
    assert.equal(notPostgres.code, 2);
    assert.match(notPostgres.stderr, /Invalid target "mysql:\/\/db\/bote" for --to: expected postgres:\/\//);
    const nowhere = await boteHere(["migrate-store", "--from", joinPath(root, "nowhere"), "--to", "postgres://x/y"]);
    assert.equal(nowhere.code, 2);
    assert.match(nowhere.stderr, /Keine Bote-Datenbank unter .*nowhere/);
  });

  it("refuses a source of another schema version, and leaves the target empty", async () => {
    const old = joinPath(root, "old.sqlite");
    await copyFile(joinPath(dataDir, "bote.sqlite"), old);
    const db = new Database(old);
    db.prepare("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)").run();
    db.close();
    const target = await database();
    const refused = await boteHere(["migrate-store", "--from", old, "--to", target.url], "en_GB.UTF-8");
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /do not match this Bote version[\s\S]*store_schema_mismatch/);
    const [, found, latest] = /SQLite schema version (\d+), this Bote's is (\d+)/.exec(refused.stderr) ?? [];
    assert.equal(Number(found), Number(latest) - 1, refused.stderr);
    const rows = await boteHere(["migrate-store", "--from", dataDir, "--to", target.url]);
    assert.equal(rows.code, 0, `the refused target is still empty: ${rows.stderr}`);
  });

  it("copies every table and the files; a server on PostgreSQL delivers what waited for Bernd", async () => {
    const target = await database();
    const moved = await boteHere(["migrate-store", "--from", dataDir, "--to", target.url]);
    assert.equal(moved.code, 0, moved.stderr);
    const counts = new Map(
      moved.stdout
        .trim()
        .split("\n")
        .map((l) => l.split("\t") as [string, string]),
    );
    assert.ok(Number(counts.get("entries")) >= 1, `entries waiting for Bernd: ${moved.stdout}`);
    assert.equal(counts.get("accounts"), "2");
    assert.ok(Number(counts.get("server_meta")) >= 1, "the key-check values come along");
    assert.match(moved.stderr, /Zeilenzahlen stimmen mit der Quelle überein/);
    assert.match(moved.stderr, /1 Dateien/);

    const again = await boteHere(["migrate-store", "--from", dataDir, "--to", target.url], "en_GB.UTF-8");
    assert.equal(again.code, 1);
    assert.match(again.stderr, /target database is not empty[\s\S]*store_target_not_empty/);

    // Same port, same data directory (secrets, VAPID keys): Bernd's profile logs in as before.
    server = await startServer(dataDir, port, ["--database", target.url]);
    const received = await berndReceives(pair, ["Vor dem Umzug", "Der Plan", "Nach der Datei"]);
    const attachment = received.find((m) => line(m) === "Der Plan")!;
    assert.ok((await downloaded(pair, attachment)).equals(file), "the file came from PostgreSQL intact");
    // And the moved installation keeps working: a new message both ways.
    await pair.anna.sendText(pair.chat, "Nach dem Umzug");
    await berndReceives(pair, ["Nach dem Umzug"]);
  });
});
