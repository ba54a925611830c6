/**
 * A real screenshot of a system notification, for docs/screenshots: not a
 * test (headless Chromium has no notification centre, so npm test reads
 * notifications inside the service worker instead, see push.e2e.test.ts).
 *
 * It starts an X display (Xvfb), a D-Bus session bus and dunst on it (the
 * notification daemon Chromium hands its notifications to on Linux), a real
 * `bote serve`, and Debian's Chromium with a window; Anna writes to Bernd
 * while no page of the app is open in Bernd's browser, a push reaches
 * Bernd's service worker through the DevTools protocol as in the test, and
 * the notification the worker shows is photographed off the X display with
 * ImageMagick's `import`, cropped to it. Chromium (not the app) adds the
 * origin and its own name to the text it hands over.
 *
 *   npx tsc -b && npm run build -w @bote/web
 *   node packages/web/dist-test/support/notificationScreenshot.js [out.png]
 *
 * Needs the apt packages xvfb, dbus, dunst, imagemagick and chromium.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { CHROMIUM } from "./browserPage.js";
import { PHONE, docsScreenshotsDir, openPerson, startBote, joinTeam } from "./webApp.js";

const SCREEN = { width: 1280, height: 800 };
/** The part of the screen shown: the upper right, where dunst puts the notification. */
const CROP = { width: 560, height: 200 };

const DUNST_CONFIG = `
[global]
    monitor = 0
    follow = none
    width = 420
    height = 160
    origin = top-right
    offset = 16x16
    padding = 14
    horizontal_padding = 16
    frame_width = 1
    frame_color = "#9aa5b1"
    separator_color = frame
    font = DejaVu Sans 11
    markup = full
    format = "<b>%s</b>\\n%b\\n<small>%a</small>"
    alignment = left
    word_wrap = yes
    icon_position = left
    max_icon_size = 48
    show_indicators = no

[urgency_low]
    background = "#ffffff"
    foreground = "#1f2933"
    timeout = 0

[urgency_normal]
    background = "#ffffff"
    foreground = "#1f2933"
    timeout = 0

[urgency_critical]
    background = "#ffffff"
    foreground = "#1f2933"
    timeout = 0
`;

const started: ChildProcess[] = [];

function start(command: string, args: readonly string[], env: NodeJS.ProcessEnv, extraFd = false): ChildProcess {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe", ...(extraFd ? ["pipe" as const] : [])] });
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`[${command}] ${chunk.toString()}`));
  started.push(child);
  return child;
}

/** The first line a stream writes. */
function firstLine(stream: Readable, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`${what} said nothing`)), 10_000);
    stream.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const end = text.indexOf("\n");
      if (end >= 0) {
        clearTimeout(timer);
        resolve(text.slice(0, end).trim());
      }
    });
  });
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(): Promise<void> {
  const out = process.argv[2] ?? join(docsScreenshotsDir, "notification-desktop.png");
  const work = mkdtempSync(join(tmpdir(), "bote-notification-"));

  // Xvfb picks a free display and names it on fd 3.
  const xvfb = start(
    "Xvfb",
    ["-displayfd", "3", "-screen", "0", `${SCREEN.width}x${SCREEN.height}x24`, "-nolisten", "tcp"],
    process.env,
    true,
  );
  const display = `:${await firstLine(xvfb.stdio[3] as Readable, "Xvfb")}`;
  const bus = start("dbus-daemon", ["--session", "--nofork", "--print-address=1", `--address=unix:dir=${work}`], {
    ...process.env,
    DISPLAY: display,
  });
  const env = { ...process.env, DISPLAY: display, DBUS_SESSION_BUS_ADDRESS: await firstLine(bus.stdout!, "dbus") };
  const config = join(work, "dunstrc");
  writeFileSync(config, DUNST_CONFIG);
  start("dunst", ["-config", config], env);
  await until(() => {
    const owner = spawnSync(
      "dbus-send",
      [
        "--session",
        "--print-reply",
        "--dest=org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus.NameHasOwner",
        "string:org.freedesktop.Notifications",
      ],
      { env, encoding: "utf8" },
    );
    return owner.stdout.includes("boolean true");
  }, "dunst on the session bus");
  console.log(`X display ${display}, dunst on ${env.DBUS_SESSION_BUS_ADDRESS}`);

  const server = await startBote("Müller Bau GmbH");
  // With a window (no --headless): Chromium hands notifications to the desktop's daemon over D-Bus.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: false,
    env,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--enable-features=NativeNotifications",
      `--window-size=${SCREEN.width - CROP.width},${SCREEN.height}`,
      "--window-position=0,0",
    ],
  });
  try {
    const anna = await openPerson(browser, "Anna Admin", PHONE, server.url);
    const bernd = await openPerson(browser, "Bernd Bau", PHONE, server.url);
    await joinTeam(server, anna, [bernd]);

    await anna.page.goto(`${server.url}/#/`);
    await anna.page.getByRole("link", { name: "Neuer Chat" }).click();
    await anna.page.getByLabel("Kollegin oder Kollegen suchen").fill("Bernd");
    await anna.page.getByRole("button", { name: bernd.name }).click();
    await send(anna.page, "Guten Morgen!");
    await bernd.page
      .locator(".chat-list")
      .getByRole("link", { name: /Anna Admin/ })
      .click();
    await bernd.page.locator(".line.in .text", { hasText: "Guten Morgen!" }).waitFor();
    await bernd.context.grantPermissions(["notifications"], { origin: server.url });
    await bernd.page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));

    // Bernd's chat is closed: only the service worker is left to tell him.
    if (!bernd.context.pages().some((p) => p.url() === "about:blank")) await bernd.context.newPage();
    for (const page of bernd.context.pages()) if (page.url() !== "about:blank") await page.close();
    const text = "Die Fotos vom Rohbau kommen gleich";
    await send(anna.page, text);
    await pushAndWait(bernd.context, server.url, text);
    // dunst draws on its next cycle.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const full = join(work, "screen.png");
    const shot = spawnSync("import", ["-display", display, "-window", "root", full], { env, encoding: "utf8" });
    if (shot.status !== 0) throw new Error(`import failed: ${shot.stderr}`);
    mkdirSync(dirname(out), { recursive: true });
    // The upper right, trimmed to the notification (the bare X root around it is black), on a light margin.
    const crop = `${CROP.width}x${CROP.height}+${SCREEN.width - CROP.width}+0`;
    const cropped = spawnSync(
      "convert",
      [full, "-crop", crop, "+repage", "-trim", "+repage", "-bordercolor", "#e4e7eb", "-border", "16", "-strip", out],
      { encoding: "utf8" },
    );
    if (cropped.status !== 0) throw new Error(`convert failed: ${cropped.stderr}`);
    console.log(`saved ${out}`);
  } finally {
    await browser.close();
    await server.stop();
    for (const child of started.reverse()) child.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole("textbox", { name: "Nachricht" });
  await box.fill(text);
  await box.press("Enter");
  await page.locator(".line.out", { hasText: text }).locator(".status-sent, .status-delivered, .status-read").waitFor();
}

/** Delivers a push as push.e2e.test.ts does, and waits until the worker has shown its notification. */
async function pushAndWait(context: BrowserContext, origin: string, body: string): Promise<void> {
  const blank = context.pages().find((p) => p.url() === "about:blank") ?? (await context.newPage());
  const cdp = await context.newCDPSession(blank);
  const registration = new Promise<string>((resolve) => {
    cdp.on(
      "ServiceWorker.workerRegistrationUpdated",
      (event: { registrations: { registrationId: string; scopeURL: string }[] }) => {
        const found = event.registrations.find((r) => r.scopeURL.startsWith(origin));
        if (found !== undefined) resolve(found.registrationId);
      },
    );
  });
  await cdp.send("ServiceWorker.enable");
  await cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId: await registration, data: '{"v":1}' });
  const deadline = Date.now() + 30_000;
  for (;;) {
    for (const worker of context.serviceWorkers()) {
      const bodies = await worker
        .evaluate(async () => {
          const scope = self as unknown as { registration: { getNotifications(): Promise<Notification[]> } };
          return (await scope.registration.getNotifications()).map((n) => n.body);
        })
        .catch(() => [] as string[]);
      if (bodies.includes(body)) {
        await cdp.detach();
        return;
      }
    }
    if (Date.now() > deadline) throw new Error("the service worker showed no notification");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  for (const child of started) child.kill();
  process.exit(1);
});
