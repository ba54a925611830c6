/**
 * `bote backup` while the server runs and takes sends, then the restore of
 * docs/OPERATIONS.md (Backups): the backup file as bote.sqlite of a new data
 * directory, with the blobs and the same secrets and VAPID files. A server
 * started there delivers what was stored before the backup.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFile, cp, mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { bote, freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";
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

describe("bote backup and the restore", { timeout: 90_000 }, () => {
  let root: string;
  let dataDir: string;
  let port: number;
  let server: RunningServer | undefined;
  let pair: Pair;

  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-backup-"));
    dataDir = joinPath(root, "server");
    port = await freePort();
    server = await startServer(dataDir, port);
    pair = await joinPair(root, dataDir);
  });

  after(async () => {
    await pair?.anna.close().catch(() => undefined);
    await pair?.bernd.close().catch(() => undefined);
    if (server !== undefined) await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("bad arguments exit 2: an existing target, a data directory without a database", async () => {
    const taken = joinPath(root, "taken.sqlite");
    await writeFile(taken, "keep me");
    const overwrite = await boteHere(["backup", taken, "--data", dataDir]);
    assert.equal(overwrite.code, 2);
    assert.match(overwrite.stderr, /gibt es schon; eine Sicherung überschreibt nichts/);
    const empty = await boteHere(
      ["backup", joinPath(root, "b.sqlite"), "--data", joinPath(root, "nothing")],
      "en_GB.UTF-8",
    );
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /No Bote database at .*nothing: --data or --from/);
  });

  it("a backup taken during sends restores into a new data directory that delivers the messages", async () => {
    const before = ["Erste", "Zweite", "Dritte"];
    for (const text of before) await sendText(pair, text);
    const file = await sendRandomFile(pair, 100_000, "Angebot");
    // Sends go on while the backup runs: it must neither wait for them nor be spoiled by them.
    let sending = true;
    const traffic = (async () => {
      for (let i = 0; sending; i++) await sendText(pair, `Während ${i}`);
    })();
    const backupFile = joinPath(root, "bote-backup.sqlite");
    // A process of its own, as an operator's cron job would run it, while this process keeps sending.
    const backup = await bote(["backup", backupFile, "--data", dataDir]);
    sending = false;
    await traffic;
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stderr, /Sicherung geschrieben: .*geprüft/);
    assert.equal((await stat(backupFile)).mode & 0o777, 0o600, "as secret as the database");

    // The restore: stop, put the files in place, start.
    await stopServer(server!);
    server = undefined;
    const restored = joinPath(root, "restored");
    await mkdir(restored, { mode: 0o700 });
    await copyFile(backupFile, joinPath(restored, "bote.sqlite"));
    await cp(joinPath(dataDir, "blobs"), joinPath(restored, "blobs"), { recursive: true });
    for (const name of ["server-secrets.json", "vapid-keys.json"])
      await copyFile(joinPath(dataDir, name), joinPath(restored, name));
    await rm(dataDir, { recursive: true });
    server = await startServer(restored, port);

    const received = await berndReceives(pair, [...before, "Angebot"]);
    const attachment = received.find((m) => line(m) === "Angebot")!;
    assert.ok((await downloaded(pair, attachment)).equals(file));
  });
});
