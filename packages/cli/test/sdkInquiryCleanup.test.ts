/**
 * A customer's send that fails after the SDK made the guest's store leaves
 * no store behind (docs/PROTOCOL.md §18, the customer's device): the return
 * link is handed out only on success, so a store left after a failure could
 * never be opened again and would only keep a device's keys on disk.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { Readable } from "node:stream";
import { ClientError, sendInquiry, type BoteClient } from "@bote/client";
import { cameraJpeg } from "@bote/testing";
import { eventually, guestOptions, joinClient } from "./support/sdkClient.js";
import { freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

let root: string;
let dataDir: string;
let server: RunningServer;
const clients: BoteClient[] = [];

describe("a failed inquiry leaves no guest store", { timeout: 120_000 }, () => {
  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-inquiry-cleanup-"));
    dataDir = joinPath(root, "server");
    server = await startServer(dataDir, await freePort());
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("removes the store when nobody can be reached or a photo cannot be read; keeps it when sent", async () => {
    const anna = await joinClient(
      root,
      "Anna",
      (await readFile(joinPath(dataDir, "initial-admin-invite"), "utf8")).trim(),
    );
    clients.push(anna);
    const dora = await joinClient(root, "Dora", (await anna.createInvitation("member", "Dora")).url);
    clients.push(dora);
    const team = await anna.createContactPoint({ name: "Team", slug: "team", staff: [anna.profile.accountId] });
    const alone = await anna.createContactPoint({
      name: "Nur Dora",
      slug: "nur-dora",
      staff: [dora.profile.accountId],
    });
    const guests = joinPath(root, "guests");
    await mkdir(guests);

    // Dora leaves: the page still names her, the server registers the guest, but no device is left to write to.
    await anna.deactivate(dora.profile.accountId);
    await assert.rejects(
      sendInquiry(alone.url, { text: "Ist jemand da?", consent: true }, guestOptions(guests)),
      (err: unknown) => err instanceof ClientError && err.code === "no_key_packages",
    );
    assert.deepEqual(await readdir(guests), [], "no store after the key packages came back empty");

    // The group with the staff exists already when the photo turns out unreadable.
    const photo = new Uint8Array(cameraJpeg(32, 24, 1));
    const unreadable = new Readable({
      read() {
        this.destroy(new Error("the photo was deleted meanwhile"));
      },
    });
    await assert.rejects(
      sendInquiry(
        team.url,
        {
          text: "Foto anbei",
          files: [{ stream: unreadable, size: photo.length, fileName: "weg.jpg", mediaType: "image/jpeg" }],
          consent: true,
        },
        guestOptions(guests),
      ),
      /deleted meanwhile/,
    );
    assert.deepEqual(await readdir(guests), [], "no store after the upload failed");

    const sent = await sendInquiry(team.url, { text: "Jetzt ohne Foto", consent: true }, guestOptions(guests));
    clients.push(sent.client);
    assert.equal((await readdir(guests)).filter((f) => f.endsWith(".db")).length, 1, "a sent inquiry keeps its store");
    await eventually(
      anna,
      () => anna.inbox(),
      (list) => list.some((i) => i.text === "Jetzt ohne Foto"),
    );
  });
});
