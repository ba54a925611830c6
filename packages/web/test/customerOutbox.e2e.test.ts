/**
 * A customer's line waits in the browser's outbox until the relay takes it
 * (docs/PROTOCOL.md §18, the customer's device). The page must not let the
 * customer believe it was sent: Debian's Chromium at 360×740 between the
 * page and the relay's WebSocket, which the test holds and cuts. The first
 * inquiry shows its return link only once the server took it; a reply shows
 * "wird gesendet …" until then; while anything is unsent, closing the page
 * asks first (the browser's own beforeunload dialog), and afterwards it does
 * not. The staff (Anna, through the CLI) receive both once the page is back.
 * A reply left in the outbox of an inquiry erased meanwhile says "nicht
 * gesendet", and the page no longer asks.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page, WebSocketRoute } from "playwright-core";
import { decodeClientFrame } from "@bote/protocol";
import { chromiumSkipReason } from "./support/browserPage.js";
import { runBote, startBoteServer, type BoteServer } from "./support/boteServer.js";
import { PHONE, launchChromium, openPerson, screen, webRoot, type Person } from "./support/webApp.js";

const skip = chromiumSkipReason("customer outbox");
const SLUG = "notdienst";
const REQUEST = "Die Heizung ist ausgefallen, es wird kalt.";
const REPLY = "Nachtrag: Der Zähler zeigt Störung 27.";
const SENDING = "Wird verschlüsselt und gesendet …";
const ARRIVED = "Ihre Anfrage ist angekommen";
const LINE_SENDING = "wird gesendet …";
const LOST = "Und noch etwas: Der Keller ist feucht.";

describe("the customer's unsent lines, in Chromium", { skip, timeout: 240_000 }, () => {
  let server: BoteServer;
  let browser: Browser;
  let customer: Person;
  let anna: string;
  let gate: RelayGate;
  let returnLink = "";

  before(async () => {
    server = await startBoteServer({ orgName: "Heizung Huber", webRoot });
    anna = mkdtempSync(join(tmpdir(), "bote-outbox-admin-"));
    await runBote(["join", server.adminInvitation, "--name", "Anna Admin", "--profile", anna]);
    const staff = ["--staff", "Anna Admin"];
    await runBote(["contact-point", "create", "--name", "Notdienst", "--slug", SLUG, ...staff, "--profile", anna]);
    browser = await launchChromium();
    customer = await openPerson(browser, "Kunde", PHONE, server.url, { touch: true });
    gate = await RelayGate.install(customer.context);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (anna !== undefined) rmSync(anna, { recursive: true, force: true });
    assert.deepEqual(customer?.problems ?? [], [], "problems seen by the customer");
  });

  it("the inquiry shows its return link only once the server took it; until then closing asks", async () => {
    const page = customer.page;
    await page.goto(`${server.url}/k/${SLUG}`);
    await page.getByLabel("Ihr Anliegen").fill(REQUEST);
    await page.getByRole("checkbox", { name: /Ich bin einverstanden/ }).check();
    const held = gate.holdNextLine();
    await page.getByRole("button", { name: "Anfrage senden" }).click();
    await held;
    // The group is made; the inquiry itself waits for the relay's answer.
    await page.getByRole("button", { name: SENDING }).waitFor();
    assert.equal(await closeAsks(page), true, "closing while the inquiry is on its way asks first");

    // The connection breaks before the answer: the inquiry stays in this browser's outbox.
    const attempts = gate.attempts;
    await gate.cut();
    await gate.attempted(attempts + 1);
    await page.waitForTimeout(500);
    assert.equal(await page.getByRole("heading", { name: ARRIVED }).count(), 0, "not 'arrived' while unsent");
    await page.getByRole("button", { name: SENDING }).waitFor();
    const offline = page.getByText(/Keine Verbindung zum Server. Ihre Anfrage ist in diesem Browser gespeichert/);
    await offline.waitFor();
    await page.getByRole("button", { name: SENDING }).scrollIntoViewIfNeeded();
    await screen(page, "customer-inquiry-offline-phone");
    assert.equal(await closeAsks(page), true, "closing while the inquiry waits for the connection asks first");

    gate.reopen();
    await page.getByRole("heading", { name: ARRIVED }).waitFor({ timeout: 30_000 });
    returnLink = await page.locator(".k-link").inputValue();
    const inbox = await staffSees(anna, (out) => out.includes(REQUEST));
    assert.match(inbox, /Notdienst/);
    assert.equal(await closeAsks(page), false, "nothing unsent: the page closes without asking");
  });

  it("a reply says it is being sent until the relay took it; until then closing asks", async () => {
    const page = await customer.context.newPage();
    page.on("pageerror", (error) => customer.problems.push(`page error: ${error.message}`));
    await page.goto(returnLink);
    const request = page.locator(".k-out", { hasText: REQUEST });
    await request.waitFor({ timeout: 60_000 });
    assert.equal(await request.getByText(LINE_SENDING).count(), 0, "the inquiry was taken: no label");

    await gate.cut();
    await page.locator(".k-reply textarea").fill(REPLY);
    await page.getByRole("button", { name: "Senden" }).click();
    const reply = page.locator(".k-out", { hasText: REPLY });
    await reply.getByText(LINE_SENDING).waitFor();
    await reply.scrollIntoViewIfNeeded();
    await screen(page, "customer-reply-sending-phone");
    assert.equal(await closeAsks(page), true, "closing with a reply in the outbox asks first");
    const before = await staffSees(anna, (out) => out.includes(REQUEST));
    assert.equal(before.includes(REPLY), false, "the reply has not left the browser");

    gate.reopen();
    await reply.getByText(LINE_SENDING).waitFor({ state: "detached", timeout: 30_000 });
    await staffSees(anna, (out) => out.includes(REPLY));
    assert.equal(await reply.getByText(/nicht gesendet/).count(), 0);
    assert.equal(await closeAsks(page), false, "everything sent: the page closes without asking");
  });

  it("a reply that can never leave says so, and the page lets go", async () => {
    const page = await customer.context.newPage();
    page.on("pageerror", (error) => customer.problems.push(`page error: ${error.message}`));
    await page.goto(returnLink);
    await page.locator(".k-out", { hasText: REPLY }).waitFor({ timeout: 60_000 });
    await gate.cut();
    await page.locator(".k-reply textarea").fill(LOST);
    await page.getByRole("button", { name: "Senden" }).click();
    const lost = page.locator(".k-out", { hasText: LOST });
    await lost.getByText(LINE_SENDING).waitFor();

    // Meanwhile the business erases the inquiry at the customer's request: the line has nowhere to go.
    const [inquiry] = (await runBote(["inbox", "--profile", anna, "--json"])).split("\n");
    const id = (JSON.parse(inquiry ?? "{}") as { id?: string }).id ?? assert.fail("no inquiry in Anna's inbox");
    await runBote(["inbox", "erase", "--profile", anna, "--confirm", "--", id]);
    gate.reopen();
    await page.getByText(/Das Unternehmen hat diese Anfrage gelöscht/).waitFor({ timeout: 30_000 });
    await lost.getByText("nicht gesendet").waitFor();
    assert.equal(await lost.getByText(LINE_SENDING).count(), 0);
    await screen(page, "customer-reply-not-sent-phone");
    assert.equal(await closeAsks(page), false, "nothing can leave any more: the page closes without asking");
  });
});

/**
 * Closes the page as a person closes the tab. True if the browser asked first
 * (beforeunload); the dialog is then dismissed and the page stays open.
 */
async function closeAsks(page: Page): Promise<boolean> {
  const asked = new Promise<boolean>((resolve) => {
    page.once("dialog", (dialog) => {
      assert.equal(dialog.type(), "beforeunload");
      void dialog.dismiss().then(() => resolve(true));
    });
    page.once("close", () => resolve(false));
  });
  await page.close({ runBeforeUnload: true });
  return asked;
}

/** What Anna's inbox shows (list and every inquiry), once `check` holds: what the customer sent went through the relay. */
async function staffSees(profile: string, check: (out: string) => boolean): Promise<string> {
  let out = "";
  for (let attempt = 0; attempt < 30; attempt++) {
    const list = await runBote(["inbox", "--profile", profile, "--json"]);
    out = list;
    for (const line of list.split("\n").filter((l) => l.trim() !== "")) {
      const id = (JSON.parse(line) as { id?: string }).id;
      if (id !== undefined) out += await runBote(["inbox", "show", "--profile", profile, "--json", "--", id]);
    }
    if (check(out)) return out;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  assert.fail(`Anna's inbox never showed it:\n${out}`);
}

/**
 * Stands between the customer's pages and the relay's WebSocket. Frames pass
 * through, but it can hold the next content line the page sends (neither
 * forwarded nor answered: the page waits for the relay), and it can cut the
 * page off: open sockets close, new ones close at once, until it reopens.
 */
class RelayGate {
  private blocked = false;
  private hold: (() => void) | undefined;
  private readonly open = new Set<{ page: WebSocketRoute; server: WebSocketRoute }>();
  private attemptWaiters: { count: number; resolve: () => void }[] = [];
  /** Sockets the page opened so far. */
  attempts = 0;

  static async install(context: BrowserContext): Promise<RelayGate> {
    const gate = new RelayGate();
    await context.routeWebSocket(/\/v1\/ws$/, (ws) => gate.route(ws));
    return gate;
  }

  /** Resolves once the page sent a content line (not a commit), which the gate keeps from the relay. */
  holdNextLine(): Promise<void> {
    return new Promise((resolve) => (this.hold = resolve));
  }

  async cut(): Promise<void> {
    this.blocked = true;
    for (const pair of [...this.open]) {
      this.open.delete(pair);
      // Either side may be closed already (a page that went away).
      await pair.page.close().catch(() => undefined);
      await pair.server.close().catch(() => undefined);
    }
  }

  reopen(): void {
    this.blocked = false;
  }

  /** Resolves once the page has opened `count` sockets in all (after a cut: it tried again). */
  attempted(count: number): Promise<void> {
    if (this.attempts >= count) return Promise.resolve();
    return new Promise((resolve) => this.attemptWaiters.push({ count, resolve }));
  }

  private route(page: WebSocketRoute): void {
    this.attempts += 1;
    for (const w of this.attemptWaiters.filter((w) => w.count <= this.attempts)) w.resolve();
    this.attemptWaiters = this.attemptWaiters.filter((w) => w.count > this.attempts);
    if (this.blocked) {
      void page.close();
      return;
    }
    const server = page.connectToServer();
    this.open.add({ page, server });
    page.onMessage((message) => {
      if (this.hold !== undefined && typeof message !== "string" && isLine(message)) {
        this.hold();
        this.hold = undefined;
        return;
      }
      server.send(message);
    });
  }
}

/** A Send with no commit guard: a line of content, not a change of the group. */
function isLine(bytes: Uint8Array): boolean {
  const frame = decodeClientFrame(bytes);
  return frame.case === "send" && frame.value.commit === undefined;
}
