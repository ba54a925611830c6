/**
 * A server whose secrets were swapped (here a database from before the
 * key-check value, so the start cannot catch it) refuses every capability a
 * client holds: the SDK marks the message failed and says so, and `bote
 * send` exits 1 instead of leaving it "queued" for ever.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { BoteClient } from "@bote/client";
import type { MessageRecord } from "@bote/core";
import { ServerSecrets } from "@bote/server";
import { joinClient } from "./support/sdkClient.js";
import { boteOk, bote, freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

describe("a send refused for every recipient", { timeout: 180_000 }, () => {
  let server: RunningServer | undefined;
  let anna: BoteClient | undefined;
  after(async () => {
    await anna?.close().catch(() => undefined);
    if (server !== undefined) await stopServer(server);
  });

  it("shows as failed in the SDK and makes bote send exit 1", async () => {
    const root = await mkdtemp(join(tmpdir(), "bote-failed-"));
    after(() => rm(root, { recursive: true, force: true }));
    const data = join(root, "server");
    const port = await freePort();
    server = await startServer(data, port);
    anna = await joinClient(root, "Anna", (await readFile(join(data, "initial-admin-invite"), "utf8")).trim());
    const link = (await anna.createInvitation("member", "Bernd")).url;
    const bernd = ["--profile", join(root, "bernd")];
    await boteOk(["join", link, "--name", "Bernd", ...bernd]);
    await anna.connect();
    const welcomed = new Promise<MessageRecord>((resolve) => {
      const off = anna!.on("message", (m) => {
        if (m.direction === "in" && m.kind === "content") {
          off();
          resolve(m);
        }
      });
    });
    await boteOk(["send", "--to", "Anna", "Hallo Anna", ...bernd]);
    const first = await welcomed;

    await stopServer(server);
    // The operator lost the secrets file and made new ones, on a database without a key-check value.
    await writeFile(join(data, "server-secrets.json"), ServerSecrets.generate().serialize());
    const db = new Database(join(data, "bote.sqlite"));
    db.prepare("DELETE FROM server_meta").run();
    db.close();
    server = await startServer(data, port);

    const problems: { code: string; messageId?: string }[] = [];
    anna.on("problem", (p) => problems.push(p));
    // Sent at once if Anna has reconnected, else from the outbox on the reconnect: either way it ends failed.
    const failedEvent = new Promise<MessageRecord>((resolve) => {
      anna!.on("message", (m) => {
        if (m.status === "failed") resolve(m);
      });
    });
    const written = await anna.sendText(first.conversationId, "Bist du noch da?");
    const failed = await failedEvent;
    assert.equal(failed.messageId, written?.messageId);
    assert.equal((await anna.store.getMessage(failed.messageId))?.status, "failed", "not left queued");
    assert.equal((await anna.store.listOutbox()).length, 0);
    // Receipts refused meanwhile name no message; the text's refusal names it.
    assert.ok(
      problems.some((p) => p.code === "capability_invalid" && p.messageId === written?.messageId),
      `a problem event says why and names the message: ${JSON.stringify(problems)}`,
    );

    const de = await bote(["send", "--to", "Anna", "Noch da?", ...bernd]);
    assert.equal(de.code, 1);
    assert.match(de.stderr, /Zustellung fehlgeschlagen/);
    const en = await bote(["send", "--to", "Anna", "Still there?", ...bernd], { lang: "en_US.UTF-8" });
    assert.equal(en.code, 1);
    assert.match(en.stderr, /Delivery failed/);
  });
});
