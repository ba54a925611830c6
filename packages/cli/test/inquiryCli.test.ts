/**
 * The issue-12 flow through the command line: an admin publishes a contact point with
 * `bote contact-point create` (and its QR code), a customer without an account writes with
 * `bote inquiry send` (a photo with GPS data), two staff work it in `bote inbox` (assignment,
 * internal note, reply), and the customer's `bote inquiry show` has the reply and not the note.
 * Real `bote serve`, real processes of the built CLI; mistakes refused before anything is published.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jpegHasMetadata } from "@bote/core";
import { cameraJpeg } from "@bote/testing";
import {
  bote,
  boteOk,
  errorOf,
  freePort,
  startServer,
  stopServer,
  type CliResult,
  type RunningServer,
} from "./support/processes.js";

let root: string;
let dataDir: string;
let server: RunningServer;

const profile = (name: string) => ["--profile", join(root, name)];
const json = (name: string) => [...profile(name), "--json"];

/** Runs `args` until `check` holds on its JSON lines: inquiries and updates travel through the relay. */
async function eventually(args: string[], check: (lines: Record<string, unknown>[]) => boolean) {
  let last: CliResult | undefined;
  for (let attempt = 0; attempt < 20; attempt++) {
    last = await boteOk(args);
    if (check(last.lines)) return last.lines;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting: bote ${args.join(" ")}\n${last?.stdout}`);
}

describe("bote contact-point, inquiry and inbox", { timeout: 120_000 }, () => {
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "bote-inquiry-cli-"));
    dataDir = join(root, "server");
    server = await startServer(dataDir, await freePort());
    const first = (await readFile(join(dataDir, "initial-admin-invite"), "utf8")).trim();
    await boteOk(["join", first, "--name", "Anna Admin", ...json("anna")]);
    const invited = await boteOk(["admin", "invite", "--name", "Bernd Bau", ...json("anna")]);
    await boteOk(["join", String(invited.lines.find((l) => l.type === "invitation")?.url), ...json("bernd")]);
  });

  after(async () => {
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("customer → inbox → assignment, note, reply → the customer sees the reply, never the note", async () => {
    const create = ["contact-point", "create", "--name", "Dachdecker Schmidt", "--slug", "dach-schmidt"];
    const privacy = "Wir nutzen Ihre Angaben nur für Ihre Anfrage.";

    // Refused before anything is published (Bernd's list below holds neither slug): a QR file type
    // it cannot write, a colleague it does not know.
    const misnamed = ["contact-point", "create", "--name", "Falsch", "--slug", "falsch-qr", "--staff", "Anna Admin"];
    const badQr = await bote([...misnamed, "--qr", join(root, "qr.gif"), ...json("anna")]);
    assert.equal(badQr.code, 2);
    assert.match(badQr.stderr, /--qr: \.png \| \.svg/);
    const unknownStaff = ["contact-point", "create", "--name", "Falsch", "--slug", "falsch-team"];
    const badStaff = await bote([...unknownStaff, "--staff", "Anna Admin,Niemand", ...json("anna")]);
    assert.equal(badStaff.code, 1);
    assert.equal(errorOf(badStaff), "contact_unknown");

    const png = join(root, "dach.png");
    const published = await boteOk([
      ...create,
      "--staff",
      "Anna Admin, Bernd Bau",
      "--greeting",
      "Schicken Sie uns Fotos vom Schaden.",
      "--hours",
      "Mo–Fr 7–16 Uhr",
      "--privacy",
      privacy,
      "--require",
      "name",
      "--qr",
      png,
      ...json("anna"),
    ]);
    const point = published.lines.find((l) => l.type === "contact_point")!;
    const url = String(point.url);
    assert.equal(url, `${server.url}/k/dach-schmidt`);
    const pngBytes = await readFile(png);
    assert.deepEqual([...pngBytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const [width, height] = [pngBytes.readUInt32BE(16), pngBytes.readUInt32BE(20)];
    assert.ok(width === height && width >= 200 && width <= 2000, `QR code of ${width}×${height} px`);

    const svg = join(root, "notdienst.svg");
    const human = await boteOk(
      [
        "contact-point",
        "create",
        "--name",
        "Notdienst",
        "--slug",
        "notdienst",
        "--staff",
        "Bernd Bau",
        "--qr",
        svg,
        ...profile("anna"),
      ],
      { lang: "en_US.UTF-8" },
    );
    assert.match(human.stdout, /^Contact point "Notdienst" published: http:\/\/\S+\/k\/notdienst\nQR code saved: /);
    assert.match(await readFile(svg, "utf8"), /<svg[^>]*>/);

    // Bernd's device reads the log (and so the contact point) before the customer writes.
    const seen = (await boteOk(["contact-point", "list", ...json("bernd")])).lines;
    assert.deepEqual(
      seen.map((p) => [p.slug, p.open, (p.staff as { name: string }[]).map((s) => s.name)]),
      [
        ["dach-schmidt", true, ["Anna Admin", "Bernd Bau"]],
        ["notdienst", true, ["Bernd Bau"]],
      ],
    );

    // The customer reads what they agree to, then writes; without --consent nothing is sent.
    const page = await boteOk(["inquiry", "show-contact-point", url, ...profile("kunde")]);
    assert.ok(page.stdout.includes(privacy));
    assert.ok(page.stdout.includes("Pflichtangaben: Name"));
    const photo = join(root, "dach.jpg");
    await writeFile(photo, cameraJpeg(64, 48, 1));
    assert.equal(jpegHasMetadata(await readFile(photo)).gps, true);
    const inquiry = ["inquiry", "send", url, "--text", "Nach dem Sturm tropft es durchs Dach.\nFoto anbei."];
    const customer = ["--photo", photo, "--name", "Tamara Kunde", "--phone", "+49 221 123456", ...json("kunde")];
    const noConsent = await bote([...inquiry, ...customer]);
    assert.equal(noConsent.code, 2);
    assert.ok(noConsent.stderr.includes(`bote inquiry show-contact-point ${url}`), noConsent.stderr);
    const wrongUrl = await bote([
      "inquiry",
      "send",
      `${server.url}/x/dach-schmidt`,
      "--text",
      "Hallo",
      "--consent",
      ...json("kunde"),
    ]);
    assert.equal(wrongUrl.code, 1);
    assert.equal(errorOf(wrongUrl), "contact_point_link_invalid");
    const unknownPoint = await bote([
      "inquiry",
      "send",
      `${server.url}/k/gibt-es-nicht`,
      "--text",
      "Hallo",
      "--consent",
      ...json("kunde"),
    ]);
    assert.equal(unknownPoint.code, 1);
    assert.equal(errorOf(unknownPoint), "contact_point_unknown");
    await assert.rejects(stat(join(root, "kunde", "inquiries")), "no guest store for a refused inquiry");

    const sent = await boteOk([...inquiry, ...customer, "--consent"]);
    const returnLink = String(sent.lines.find((l) => l.type === "inquiry_sent")?.returnLink);
    assert.match(returnLink, /\/k\/dach-schmidt#r=[A-Za-z0-9_-]{43}$/);
    assert.deepEqual((await readdir(join(root, "kunde", "inquiries"))).filter((f) => f.endsWith(".db")).length, 1);

    // Anna finds it in her inbox, takes it, notes something for the team, answers, moves it on.
    const [listed] = await eventually(["inbox", ...json("anna")], (lines) => lines.some((l) => l.text !== ""));
    assert.equal(listed!.customerName, "Tamara Kunde");
    assert.equal(listed!.contactPoint, "Dachdecker Schmidt");
    assert.equal(listed!.status, "new");
    assert.equal(listed!.assigneeName, null);
    assert.equal(listed!.files, 1);
    // A short id may start with "-" (base64url): after "--" it is never taken for an option.
    const id = String(listed!.id);
    assert.ok(String(listed!.conversationId).startsWith(id) && id.length === 8);
    await boteOk(["inbox", "assign", ...json("anna"), "--", id, "me"]);
    await boteOk(["inbox", "note", ...json("anna"), "--", id, "Sturmschaden, Versicherung fragen"]);
    await boteOk(["inbox", "reply", ...json("anna"), "--", id, "Guten Tag, wir kommen am Dienstag vorbei."]);
    await boteOk(["inbox", "status", ...json("anna"), "--", id, "in-progress"]);
    const marked = await boteOk(["inbox", "archive", ...json("anna"), "--", id, "on"]);
    assert.equal(marked.lines[0]?.archived, true);
    const badMark = await bote(["inbox", "archive", ...json("anna"), "--", id, "yes"]);
    assert.equal(badMark.code, 2);

    // Bernd sees who has it, what it is at, the archive mark and the note, marked internal; the photo has no GPS any more.
    await eventually(["inbox", ...json("bernd")], (lines) =>
      lines.some((l) => l.assigneeName === "Anna Admin" && l.status === "in-progress" && l.archived === true),
    );
    const shown = await eventually(["inbox", "show", ...json("bernd"), "--", id], (lines) =>
      lines.some((l) => l.type === "note"),
    );
    assert.deepEqual(
      shown.filter((l) => l.type === "note").map((l) => [l.internal, l.author, l.text]),
      [[true, "Anna Admin", "Sturmschaden, Versicherung fragen"]],
    );
    assert.ok(shown.some((l) => l.type === "message" && l.text === "Guten Tag, wir kommen am Dienstag vorbei."));
    const readable = await boteOk(["inbox", "show", ...profile("bernd"), "--", id], { lang: "en_US.UTF-8" });
    assert.match(readable.stdout, /INTERNAL – the team's notes[^\n]*\n\s+\[[^\]]+\] Anna Admin: Sturmschaden/);
    assert.match(
      readable.stdout,
      /^Inquiry from Tamara Kunde, .*\nDachdecker Schmidt · status: in progress · assigned to: Anna Admin · kept for the archive\n/,
    );
    const out = join(root, "export");
    await boteOk(["inbox", "export", "--out", out, ...json("bernd"), "--", id]);
    const exported = await readFile(join(out, "1-dach.jpg"));
    assert.equal(jpegHasMetadata(exported).gps, false);
    assert.match(await readFile(join(out, "inquiry.txt"), "utf8"), /Tamara Kunde/);

    // The customer's return link: the reply with its author, and nothing of the staff's talk.
    const thread = await eventually(["inquiry", "show", returnLink, ...json("kunde")], (lines) =>
      lines.some((l) => l.text === "Guten Tag, wir kommen am Dienstag vorbei."),
    );
    assert.deepEqual(
      thread.filter((l) => l.type === "message").map((l) => [l.from, l.text]),
      [
        // The guest account is "Gast" on every device: her name is only inside the encrypted inquiry.
        ["Gast", "Nach dem Sturm tropft es durchs Dach.\nFoto anbei."],
        ["Anna Admin", "Guten Tag, wir kommen am Dienstag vorbei."],
      ],
    );
    assert.ok(!JSON.stringify(thread).includes("Versicherung"));
    const answered = await boteOk(["inquiry", "reply", ...json("kunde"), "--", returnLink, "Dienstag passt, danke."]);
    assert.equal(answered.lines[0]?.status, "sent");

    // The customer asks for erasure (Art. 17): only an admin can, and only with --confirm.
    const unconfirmed = await bote(["inbox", "erase", ...json("anna"), "--", id]);
    assert.equal(unconfirmed.code, 2);
    assert.match(unconfirmed.stderr, /--confirm/);
    const byMember = await bote(["inbox", "erase", "--confirm", ...json("bernd"), "--", id]);
    assert.equal(byMember.code, 1);
    assert.equal(errorOf(byMember), "forbidden");
    const erased = await boteOk(["inbox", "erase", "--confirm", ...json("anna"), "--", id]);
    assert.equal(erased.lines[0]?.type, "inquiry_erased");
    await eventually(["inbox", ...json("bernd")], (lines) => !lines.some((l) => l.id === id));
    const afterErasure = await bote(["inquiry", "show", returnLink, ...json("kunde")]);
    assert.equal(afterErasure.code, 1, "the customer's account is gone from the server");
    assert.equal(errorOf(afterErasure), "inquiry_gone");

    // An inquiry this device does not have is named as such.
    const unknown = await bote(["inbox", "show", "zzzzzzzz", ...json("anna")]);
    assert.equal(unknown.code, 1);
    assert.equal(errorOf(unknown), "inquiry_unknown");

    // A closed contact point takes no more inquiries; its page says so.
    await boteOk(["contact-point", "close", "notdienst", ...json("anna")]);
    const closed = await bote(["inquiry", "show-contact-point", `${server.url}/k/notdienst`, ...json("kunde")]);
    assert.equal(closed.code, 1);
    assert.equal(errorOf(closed), "contact_point_closed");

    // Bernd, the only staff of the workshop's contact point, leaves: the send fails after the guest's
    // store was made, and the store goes with the failure (without a return link nobody could open it).
    await boteOk([
      "contact-point",
      "create",
      "--name",
      "Werkstatt",
      "--slug",
      "werkstatt",
      "--staff",
      "Bernd Bau",
      ...json("anna"),
    ]);
    const stores = async () => (await readdir(join(root, "kunde", "inquiries"))).sort();
    const before = await stores();
    await boteOk(["admin", "deactivate", "Bernd Bau", ...json("anna")]);
    const nobody = await bote([
      "inquiry",
      "send",
      `${server.url}/k/werkstatt`,
      "--text",
      "Hallo?",
      "--consent",
      ...json("kunde"),
    ]);
    assert.equal(nobody.code, 1);
    assert.equal(errorOf(nobody), "no_key_packages");
    assert.deepEqual(await stores(), before, "no guest store left by the failed send");
  });
});
