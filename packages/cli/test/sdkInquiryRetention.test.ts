/**
 * Retention of closed inquiries on staff devices (docs/PROTOCOL.md §18),
 * through the SDK against a real `bote serve`: after the contact point's
 * retention days, a done inquiry is gone from the inbox and the store with
 * its staff group; an archived one, one of a contact point that keeps
 * (retentionDays 0) and an open one stay; the customer is told nothing. A
 * customer who writes after done reopens the inquiry, and retention waits
 * until staff set done again.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readContent, sendInquiry, type BoteClient, type SentInquiry } from "@bote/client";
import { eventually, guestOptions, startTeam, type Team } from "./support/sdkClient.js";

const DAY_MS = 86_400_000;

/** Added to the staff devices' clocks: the test moves their time, not the server's. */
let offset = 0;
const clock = () => Date.now() + offset;
let team: Team;
let root: string;
const clients: BoteClient[] = [];
let anna: BoteClient;
let bernd: BoteClient;

describe("retention of closed inquiries on staff devices", { timeout: 180_000 }, () => {
  before(async () => {
    team = await startTeam("bote-retention-", clock);
    ({ anna, bernd, root } = team);
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await team?.stop();
  });

  it("deletes a done inquiry past retention with its staff group; archived, kept and open ones stay", async () => {
    offset = 0;
    const staff = [anna.profile.accountId, bernd.profile.accountId];
    const short = await anna.createContactPoint({ name: "Heizung", slug: "heizung", staff, retentionDays: 30 });
    const keeps = await anna.createContactPoint({ name: "Archiv", slug: "archiv", staff, retentionDays: 0 });
    await bernd.syncOrganisation();

    const customers: Record<string, SentInquiry> = {};
    for (const [key, url] of [
      ["done", short.url],
      ["archived", short.url],
      ["open", short.url],
      ["keeps", keeps.url],
    ] as const) {
      customers[key] = await sendInquiry(url, { text: `Anfrage ${key}`, consent: true }, guestOptions(root));
      clients.push(customers[key].client);
    }
    const id = (key: string) => customers[key]!.conversationId;
    for (const member of [anna, bernd]) {
      await eventually(
        member,
        () => member.inbox(),
        (list) => list.length === 4 && list.every((i) => i.text !== ""),
      );
    }

    await anna.setInquiryStatus(id("done"), "done");
    await anna.setInquiryStatus(id("archived"), "done");
    await anna.archiveInquiry(id("archived"), true);
    await anna.setInquiryStatus(id("open"), "in_progress");
    await anna.setInquiryStatus(id("keeps"), "done");
    const expected: Record<string, string> = { done: "done", archived: "done", open: "in_progress", keeps: "done" };
    await eventually(
      bernd,
      () => Promise.all(Object.keys(expected).map(async (key) => (await bernd.inquiry(id(key))).status)),
      (statuses) => statuses.join() === Object.values(expected).join(),
    );
    await eventually(
      bernd,
      async () => (await bernd.inquiry(id("archived"))).archived,
      (archived) => archived,
    );
    const summary = await anna.inquiry(id("done"));
    assert.equal(summary.status, "done");
    assert.ok(summary.doneAt !== undefined && summary.doneAt <= clock());
    const staffGroupsBefore = (await anna.listConversations()).filter((c) => c.kind === "inquiry_staff").length;
    assert.equal(staffGroupsBefore, 4, "one staff group per inquiry acted on");

    // Within the period nothing goes.
    offset = 29 * DAY_MS;
    assert.deepEqual(await anna.sweepInquiries(), []);
    const customerBefore = await customers.done!.client.listMessages(id("done"));

    // Past it, the next sync sweeps on both staff devices by itself.
    offset = 31 * DAY_MS;
    for (const member of [anna, bernd]) {
      await member.sync();
      await member.idle();
      const inbox = await member.inbox();
      assert.deepEqual(inbox.map((i) => i.conversationId).sort(), [id("archived"), id("open"), id("keeps")].sort());
      const conversations = await member.listConversations();
      assert.ok(!conversations.some((c) => c.conversationId === id("done")), "the inquiry is gone from the store");
      assert.deepEqual(await member.listMessages(id("done")), [], "and its messages with it");
      assert.equal(conversations.filter((c) => c.kind === "inquiry_staff").length, 3, "its staff group too");
      assert.deepEqual(await member.store.listOutbox(), [], "nothing was queued to tell anyone");
    }
    assert.equal((await anna.inquiry(id("archived"))).archived, true);
    assert.deepEqual(await anna.sweepInquiries(clock() + 400 * DAY_MS), [], "nothing else ever goes");

    // The customer hears nothing of it.
    await customers.done!.client.sync();
    assert.deepEqual(await customers.done!.client.listMessages(id("done")), customerBefore);
  });

  it("a customer who writes after done reopens the inquiry; done again, it goes after the period", async () => {
    offset = 0;
    const staff = [anna.profile.accountId, bernd.profile.accountId];
    const point = await anna.createContactPoint({ name: "Sanitär", slug: "sanitaer", staff, retentionDays: 30 });
    await bernd.syncOrganisation();
    // The customer's clock moves with the staff's: days pass for everyone.
    const sent = await sendInquiry(
      point.url,
      { text: "Der Abfluss ist verstopft", consent: true },
      {
        ...guestOptions(root),
        now: clock,
      },
    );
    clients.push(sent.client);
    const id = sent.conversationId;
    for (const member of [anna, bernd]) {
      await eventually(
        member,
        () => member.inbox(),
        (list) => list.some((i) => i.conversationId === id && i.text !== ""),
      );
    }
    await anna.setInquiryStatus(id, "done");
    await eventually(
      bernd,
      () => bernd.inquiry(id),
      (i) => i.status === "done",
    );

    offset = DAY_MS;
    await sent.client.sendText(id, "Es läuft schon wieder nicht ab.");
    for (const member of [anna, bernd]) {
      const reopened = await eventually(
        member,
        () => member.inquiry(id),
        (i) => i.status === "new",
      );
      assert.equal(reopened.doneAt, undefined);
      assert.ok(reopened.unread >= 1, "the new line counts as unread");
      const lines = (await member.listMessages(id)).map((m) =>
        m.kind === "content" ? readContent(m)?.body : undefined,
      );
      assert.ok(lines.some((b) => b?.case === "text" && b.value.text === "Es läuft schon wieder nicht ab."));
    }

    // Long past the period since the first done: both staff devices keep it.
    offset = 40 * DAY_MS;
    for (const member of [anna, bernd]) {
      await member.sync();
      await member.idle();
      assert.ok(!(await member.sweepInquiries()).includes(id));
      assert.equal((await member.inquiry(id)).status, "new");
    }

    // Staff set done again: retention counts from this update.
    offset = 41 * DAY_MS;
    await bernd.setInquiryStatus(id, "done");
    const closed = await eventually(
      anna,
      () => anna.inquiry(id),
      (i) => i.status === "done",
    );
    assert.ok(closed.doneAt !== undefined && closed.doneAt >= Date.now() + 40 * DAY_MS);
    offset = (41 + 29) * DAY_MS;
    assert.ok(!(await anna.sweepInquiries()).includes(id), "within the period it stays");
    offset = (41 + 31) * DAY_MS;
    for (const member of [anna, bernd]) {
      await member.sync();
      await member.idle();
      assert.ok(!(await member.inbox()).some((i) => i.conversationId === id), "past it, it is gone");
    }
  });
});
