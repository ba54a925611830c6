/**
 * A customer asks the business to erase their data (Art. 17 GDPR): an admin
 * erases the inquiry through the SDK against a real `bote serve`. The
 * customer's guest account goes from the server, and the inquiry with its
 * staff-only notes from every staff device at once, archived or not; a
 * member who is not an admin cannot do it.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { join as joinPath } from "node:path";
import { ClientError, sendInquiry, type BoteClient } from "@bote/client";
import { decodeBase64url } from "@bote/protocol";
import { eventually, guestOptions, startTeam, type Team } from "./support/sdkClient.js";

let team: Team;
let anna: BoteClient;
let bernd: BoteClient;

describe("erasing a customer's inquiry", { timeout: 180_000 }, () => {
  before(async () => {
    team = await startTeam("bote-erasure-");
    ({ anna, bernd } = team);
  });

  after(() => team?.stop());

  it("erases the customer on the server and the inquiry on every staff device; a member cannot", async () => {
    const staff = [anna.profile.accountId, bernd.profile.accountId];
    const point = await anna.createContactPoint({ name: "Dach", slug: "dach", staff, retentionDays: 365 });
    await bernd.syncOrganisation();
    const customer = await sendInquiry(
      point.url,
      { text: "Bitte löschen Sie später alles über mich", name: "Karla Kundin", consent: true },
      guestOptions(team.root),
    );
    team.clients.push(customer.client);
    const id = customer.conversationId;
    for (const member of [anna, bernd]) {
      await eventually(
        member,
        () => member.inbox(),
        (list) => list.some((i) => i.conversationId === id && i.text !== ""),
      );
    }
    // Archived and noted: kept past any retention, but not past an erasure.
    await bernd.archiveInquiry(id, true);
    await bernd.addInquiryNote(id, "Karla ruft morgen an");
    await eventually(
      anna,
      () => anna.inquiry(id),
      (i) => i.archived,
    );
    const guestAccountId = customer.client.profile.accountId;

    await assert.rejects(
      bernd.eraseInquiry(id),
      (e: unknown) => e instanceof ClientError && e.code === "forbidden",
      "only an admin erases",
    );
    assert.ok(
      (await bernd.inbox()).some((i) => i.conversationId === id),
      "a refused erasure deletes nothing",
    );

    await anna.eraseInquiry(id);
    const annaLeft = await anna.listConversations();
    assert.ok(!annaLeft.some((c) => c.conversationId === id), "gone from the admin's device at once");
    assert.equal(annaLeft.filter((c) => c.kind === "inquiry_staff").length, 0, "with its staff group");
    assert.deepEqual(await anna.listMessages(id), []);
    // Bernd's device deletes it as soon as the update arrives, not at its hourly sweep.
    await eventually(
      bernd,
      () => bernd.listConversations(),
      (list) => !list.some((c) => c.conversationId === id || c.kind === "inquiry_staff"),
    );
    assert.deepEqual(await bernd.inbox(), []);
    assert.deepEqual(await bernd.listMessages(id), []);

    // The customer's account is gone from the server: their device cannot log in any more.
    await assert.rejects(customer.client.sync(), (e: unknown) => e instanceof ClientError && e.code === "inquiry_gone");
    // Nothing of it is left in the server's database files.
    const files = (await readdir(team.dataDir)).filter((f) => f.startsWith("bote.sqlite"));
    const raw = Buffer.concat(await Promise.all(files.map((f) => readFile(joinPath(team.dataDir, f)))));
    assert.ok(!raw.includes(Buffer.from(decodeBase64url(guestAccountId)!)), "no byte of the guest's account id");
    // Asked again, the inquiry is unknown here.
    await assert.rejects(
      anna.eraseInquiry(id),
      (e: unknown) => e instanceof ClientError && e.code === "inquiry_unknown",
    );
  });
});
