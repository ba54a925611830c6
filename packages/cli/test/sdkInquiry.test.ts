/**
 * A customer without an account writes to a contact point, through the SDK
 * in this process against a real `bote serve` (docs/PROTOCOL.md §18): two
 * staff see the inquiry in their inbox, one assigns it to herself, notes
 * something for the team and answers; the customer comes back through the
 * return link and reads the answer, never the note. A send that fails after
 * the guest's store was made leaves no store behind.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { Readable } from "node:stream";
import { ClientError, openInquiry, sendInquiry, type BoteClient } from "@bote/client";
import type { MessageRecord } from "@bote/core";
import { decodeContent } from "@bote/protocol";
import { cameraJpeg } from "@bote/testing";
import { eventually, guestOptions, joinClient } from "./support/sdkClient.js";
import { freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

let root: string;
let dataDir: string;
let server: RunningServer;
const clients: BoteClient[] = [];
/** The admin, who publishes the contact points. */
let anna: BoteClient;

async function joinAs(name: string, link: string): Promise<BoteClient> {
  const client = await joinClient(root, name, link);
  clients.push(client);
  return client;
}

function textOf(message: MessageRecord): string | undefined {
  if (message.kind !== "content") return undefined;
  const body = decodeContent(message.body).body;
  return body.case === "text" || body.case === "inquiry" ? body.value.text : undefined;
}

describe("inquiries through a contact point", { timeout: 180_000 }, () => {
  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-inquiry-"));
    dataDir = joinPath(root, "server");
    server = await startServer(dataDir, await freePort());
    anna = await joinAs("Anna", (await readFile(joinPath(dataDir, "initial-admin-invite"), "utf8")).trim());
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("customer → team inbox → assignment, note, answer → return link shows the answer and not the note", async () => {
    const bernd = await joinAs("Bernd", (await anna.createInvitation("member", "Bernd")).url);
    await bernd.connect();
    const point = await anna.createContactPoint({
      name: "Dachdecker Schmidt",
      slug: "dach-schmidt",
      staff: [anna.profile.accountId, bernd.profile.accountId],
      greeting: "Schicken Sie uns Fotos vom Schaden.",
      privacyText: "Wir nutzen Ihre Angaben nur für Ihre Anfrage.",
      requiredFields: ["name"],
    });
    assert.match(point.url, /\/k\/dach-schmidt$/);
    // Bernd's device learns the contact point from the log before the customer writes.
    await bernd.syncOrganisation();
    assert.equal(bernd.organisation.contactPoints.size, 1);

    const photo = new Uint8Array(cameraJpeg(64, 48, 1));
    const sent = await sendInquiry(
      point.url,
      {
        text: "Nach dem Sturm tropft es durchs Dach. Foto anbei.",
        name: "Tamara Kunde",
        phone: "+49 221 123456",
        files: [{ stream: Readable.from([photo]), size: photo.length, fileName: "dach.jpg", mediaType: "image/jpeg" }],
        consent: true,
      },
      guestOptions(root),
    );
    assert.match(sent.returnLink, /\/k\/dach-schmidt#r=[A-Za-z0-9_-]{43}$/);
    assert.equal(sent.client.isGuest, true);
    await sent.client.close();

    for (const staff of [anna, bernd]) {
      const [inquiry] = await eventually(
        staff,
        () => staff.inbox(),
        (list) => list.length === 1 && list[0]!.text !== "",
      );
      assert.equal(inquiry!.customerName, "Tamara Kunde");
      assert.equal(inquiry!.contact.phone, "+49 221 123456");
      assert.equal(inquiry!.contactPointName, "Dachdecker Schmidt");
      assert.equal(inquiry!.status, "new");
      assert.equal(inquiry!.files, 1);
    }
    const id = (await anna.inbox())[0]!.conversationId;
    const chunks: Uint8Array[] = [];
    await bernd.download(
      (await bernd.inbox())[0]!.messageId!,
      async (file) => {
        for await (const chunk of file) chunks.push(chunk);
      },
      0,
    );
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(photo), "the photo arrives end to end encrypted, intact");

    // Both act at once: each may make a staff group; the notes are one thread either way.
    await Promise.all([
      anna.addInquiryNote(id, "Sturmschaden, Versicherung fragen"),
      bernd.addInquiryNote(id, "Kenne das Haus, Ziegeldach"),
    ]);
    await anna.assignInquiry(id, anna.profile.accountId);
    await anna.setInquiryStatus(id, "in_progress");
    await anna.sendText(id, "Guten Tag, wir kommen am Dienstag vorbei.");

    const seen = await eventually(
      bernd,
      () => bernd.inbox(),
      (list) => list[0]?.assignee === anna.profile.accountId && list[0].status === "in_progress",
    );
    assert.equal(seen[0]!.assignee, anna.profile.accountId);
    for (const staff of [anna, bernd]) {
      const notes = await eventually(
        staff,
        () => staff.inquiryNotes(id),
        (list) => list.length === 2,
      );
      assert.deepEqual(notes.map((n) => n.text).sort(), [
        "Kenne das Haus, Ziegeldach",
        "Sturmschaden, Versicherung fragen",
      ]);
      const annas = notes.find((n) => n.authorAccountId === anna.profile.accountId);
      assert.equal(annas?.text, "Sturmschaden, Versicherung fragen");
    }

    const back = await openInquiry(sent.returnLink, guestOptions(root));
    clients.push(back.client);
    assert.equal(back.conversationId, id);
    const messages = await eventually(
      back.client,
      () => back.client.listMessages(back.conversationId),
      (list) => list.some((m) => textOf(m) === "Guten Tag, wir kommen am Dienstag vorbei."),
    );
    const texts = messages.map(textOf).filter((t) => t !== undefined);
    assert.ok(texts.includes("Nach dem Sturm tropft es durchs Dach. Foto anbei."));
    // The customer's device holds nothing of the staff's talk: no staff group, no note, no status.
    for (const conversation of await back.client.listConversations()) {
      assert.equal(conversation.kind, "inquiry");
      for (const m of await back.client.listMessages(conversation.conversationId)) {
        assert.notEqual(m.kind === "content" ? decodeContent(m.body).body.case : "event", "inquiryUpdate");
      }
    }
    assert.ok(!texts.some((t) => t.includes("Versicherung") || t.includes("Ziegeldach")));

    // The admin hands the contact point from Bernd to Carla: the inquiry and its staff group follow.
    const carla = await joinAs("Carla", (await anna.createInvitation("member", "Carla")).url);
    await anna.createContactPoint({
      name: "Dachdecker Schmidt",
      slug: "dach-schmidt",
      staff: [anna.profile.accountId, carla.profile.accountId],
      privacyText: "Wir nutzen Ihre Angaben nur für Ihre Anfrage.",
      requiredFields: ["name"],
    });
    await anna.syncOrganisation();
    await anna.idle();
    await carla.syncOrganisation();
    // She cannot read what was said before she joined; the committer repeats the state for her.
    const handed = await eventually(
      carla,
      () => carla.inbox(),
      (list) => list.length === 1 && list[0]!.assignee !== undefined,
    );
    assert.equal(handed[0]!.conversationId, id);
    assert.equal(handed[0]!.assignee, anna.profile.accountId);
    assert.equal(handed[0]!.status, "in_progress");
    assert.equal(handed[0]!.text, "", "nor the inquiry itself: MLS gives newcomers no history");
    const rosters = await eventually(
      bernd,
      async () => (await bernd.listConversations()).filter((c) => c.active).map((c) => c.kind),
      (kinds) => !kinds.includes("inquiry") && !kinds.includes("inquiry_staff"),
    );
    assert.deepEqual(rosters, []);
    const members = (await anna.members(id)).map((m) => m.credential.displayName).sort();
    // The guest's certificate says "Gast": the customer's name travels only inside the encrypted Inquiry.
    assert.deepEqual(members, ["Anna", "Carla", "Gast"]);
    // She is in the staff group(s) already there, and her note goes to one of them, not to a new one.
    const staffGroups = async (client: BoteClient) =>
      (await client.listConversations()).filter((c) => c.kind === "inquiry_staff" && c.active).length;
    const existing = await staffGroups(anna);
    await eventually(
      carla,
      () => staffGroups(carla),
      (n) => n === existing,
    );
    await carla.addInquiryNote(id, "Ich übernehme Donnerstag.");
    assert.equal(await staffGroups(carla), existing);
    await eventually(
      anna,
      () => anna.inquiryNotes(id),
      (list) => list.some((n) => n.text === "Ich übernehme Donnerstag."),
    );

    // The policy forbids chats with people outside the organisation: no answer, no open contact
    // point, and the customer finds the contact point closed; allowed again, the answer goes.
    await anna.setPolicy({ externalChats: false });
    await carla.syncOrganisation();
    const offByPolicy = (err: unknown) => err instanceof ClientError && err.code === "external_chats_off";
    await assert.rejects(carla.sendText(id, "Wir melden uns."), offByPolicy);
    const photoAgain = new Uint8Array(cameraJpeg(32, 24, 2));
    await assert.rejects(
      carla.sendFile(id, {
        stream: Readable.from([photoAgain]),
        size: photoAgain.length,
        fileName: "angebot.jpg",
        mediaType: "image/jpeg",
      }),
      offByPolicy,
    );
    await assert.rejects(
      anna.createContactPoint({ name: "Neu", slug: "dach-neu", staff: [anna.profile.accountId] }),
      offByPolicy,
    );
    await assert.rejects(
      sendInquiry(point.url, { text: "Noch eine Frage", consent: true }, guestOptions(root)),
      (err: unknown) => err instanceof ClientError && err.code === "contact_point_closed",
    );
    await anna.setPolicy({ externalChats: true });
    await carla.syncOrganisation();
    await carla.sendText(id, "Wir melden uns.");
  });

  // The return link is handed out only on success: a store left after a failure could never be opened again.
  it("a failed send leaves no guest store: nobody can be reached, or a photo cannot be read", async () => {
    const dora = await joinAs("Dora", (await anna.createInvitation("member", "Dora")).url);
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
