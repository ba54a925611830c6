/**
 * On the crew's phones (issue 11): the frictions found at 360×740 in
 * Chromium, each a step here, against one `bote serve` process. Anna, the
 * first admin, has a phone-sized window with a mouse; Ben has a phone with
 * a touch screen (a coarse pointer and touch events).
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { chromiumSkipReason } from "./support/browserPage.js";
import {
  PHONE,
  launchChromium,
  openPerson,
  screenshot,
  startBote,
  unnamedControls,
  type BoteServer,
  type Person,
} from "./support/webApp.js";

const skip = chromiumSkipReason("web app on phones end-to-end");

describe("web app on phones, end to end in Chromium", { skip, timeout: 240_000 }, () => {
  let server: BoteServer;
  let browser: Browser;
  let anna: Person;
  let ben: Person;
  let benLink = "";

  before(async () => {
    server = await startBote("Dachdeckerei Sturm");
    browser = await launchChromium();
    anna = await openPerson(browser, "Anna Admin", PHONE, server.url);
    ben = await openPerson(browser, "Ben Bauer", PHONE, server.url, { touch: true });
    // Headless Chromium on Linux has no share sheet: a stand-in records what the app hands to it.
    await anna.context.addInitScript(() => {
      const shared: unknown[] = [];
      Object.assign(globalThis, { __boteShared: shared });
      Object.defineProperty(navigator, "share", {
        value: (data: unknown) => {
          shared.push(data);
          return Promise.resolve();
        },
      });
    });
    await anna.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  });

  afterEach(async (t) => {
    for (const person of [anna, ben]) {
      await screenshot(person.page, `steps/phone ${t.name.slice(0, 40)} - ${person.name}`, false).catch(
        () => undefined,
      );
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("the admin's empty chat list offers to invite colleagues: link, QR code, copy and share", async () => {
    const page = anna.page;
    await page.goto(server.adminInvitation);
    await page.getByLabel("Ihr Name").fill(anna.name);
    await page.getByRole("button", { name: "Beitreten" }).click();
    // Nobody to chat with yet: the first screen points to inviting, not to "Neuer Chat".
    await page.getByText("Noch niemand da.").waitFor();
    await screenshot(page, "chat-list-empty-admin-phone", false);
    await page.getByRole("link", { name: "Kolleg:innen einladen" }).click();
    await page.getByLabel("Name der Person").fill(ben.name);
    await page.getByRole("button", { name: "Einladungslink erstellen" }).click();
    await page.getByRole("heading", { name: `Einladung für ${ben.name}` }).waitFor();
    const qr = page.getByRole("img", { name: `QR-Code der Einladung für ${ben.name}` });
    await qr.waitFor();
    assert.match((await qr.getAttribute("src")) ?? "", /^data:image\/png;base64,/, "drawn here, not fetched");
    benLink = await page.locator("#invite-link").inputValue();
    assert.match(benLink, /\/join#t=[^&]+&/);

    await page.getByRole("button", { name: "Link kopieren" }).click();
    await page.getByText("Link kopiert.").waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), benLink);
    await page.getByRole("button", { name: "Teilen" }).click();
    const shared = await page.evaluate(
      () => (globalThis as unknown as { __boteShared: { url: string }[] }).__boteShared,
    );
    assert.deepEqual(
      shared.map((s) => s.url),
      [benLink],
    );
    await page.locator(".notices .notice").waitFor({ state: "detached" });
    await screen(page, "invite-qr-phone");
  });

  it("a used, revoked or garbled invitation link says so at once, before a name is asked", async () => {
    const page = ben.page;
    // The first admin's link, already used by Anna: it would ask for a name.
    await page.goto(server.adminInvitation);
    await expectRefused(page, "schon verwendet");
    await screen(page, "join-used-phone");

    const carlaLink = await inviteIn(anna.page, "Carla Kranich");
    await anna.page.goto(`${server.url}/#/admin`);
    const row = anna.page.locator(".admin-invitations li", { hasText: "Carla Kranich" });
    await row.getByRole("button", { name: "Einladung für Carla Kranich widerrufen" }).click();
    await row.getByText("widerrufen", { exact: true }).waitFor();
    await page.goto("about:blank");
    await page.goto(carlaLink);
    await expectRefused(page, "gilt nicht mehr");

    await page.goto("about:blank");
    await page.goto(`${server.url}/join#t=${"A".repeat(43)}`);
    await expectRefused(page, "gilt nicht mehr");
  });
});

/** The link's problem shows at once: nothing to type, no button to join, and what to do about it. */
async function expectRefused(page: Page, reason: string): Promise<void> {
  await page.getByRole("heading", { name: "Diese Einladung lässt sich nicht verwenden" }).waitFor();
  await page.getByRole("alert").getByText(reason).waitFor();
  await page.getByRole("alert").getByText("um einen neuen Einladungslink").waitFor();
  assert.equal(await page.getByRole("textbox").count(), 0, "nothing to type");
  assert.equal(await page.getByRole("button", { name: "Beitreten" }).count(), 0, "nothing to press");
}

/** An invitation from the admin's invite screen. */
async function inviteIn(page: Page, name: string): Promise<string> {
  await page.goto(new URL("/#/", page.url()).toString());
  await page.goto(new URL("/#/invite", page.url()).toString());
  await page.getByLabel("Name der Person").fill(name);
  await page.getByRole("button", { name: "Einladungslink erstellen" }).click();
  await page.getByRole("heading", { name: `Einladung für ${name}` }).waitFor();
  return page.locator("#invite-link").inputValue();
}

/** A screenshot for the docs, and the check that every control on that screen has an accessible name. */
async function screen(page: Page, name: string): Promise<void> {
  assert.deepEqual(await unnamedControls(page), [], `unnamed controls on ${name}`);
  await screenshot(page, name);
}
