/**
 * The app lock in a real Chromium (WebCrypto PBKDF2, IndexedDB): set, right
 * and wrong PINs, the growing wait after five wrong ones on an injected
 * clock, which survives reopening, removal, and PINs that are refused.
 * Without /usr/bin/chromium the tests skip and say why; under CI=true they fail.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chromiumSkipReason, openBrowserPage, type BrowserPage } from "./support/browserPage.js";
import type { LockPageApi } from "./support/lockPage.js";

declare global {
  var boteLock: LockPageApi;
}

const skip = chromiumSkipReason("app lock tests");

describe("AppLock in Chromium", { ...(skip === undefined ? {} : { skip }) }, () => {
  let browser: BrowserPage;
  before(async () => {
    browser = await openBrowserPage("test/support/lockPage.ts", { global: "boteLock" });
  });
  after(async () => {
    await browser?.close();
  });

  const open = (name: string) => browser.page.evaluate((n) => boteLock.open(n), name);
  const enabled = (h: number) => browser.page.evaluate((x) => boteLock.enabled(x), h);
  const setPin = (h: number, pin: string) =>
    browser.page.evaluate(([x, p]) => boteLock.setPin(x, p), [h, pin] as const);
  const removePin = (h: number, pin: string) =>
    browser.page.evaluate(([x, p]) => boteLock.removePin(x, p), [h, pin] as const);
  const unlock = (h: number, pin: string) =>
    browser.page.evaluate(([x, p]) => boteLock.unlock(x, p), [h, pin] as const);
  const advance = (ms: number) => browser.page.evaluate((m) => boteLock.advance(m), ms);
  const fresh = () => `bote-lock-test-${randomBytes(6).toString("hex")}`;

  it("is off until a PIN is set, then unlocks with the right PIN only; stores salt and verifier, not the PIN", async () => {
    const name = fresh();
    const lock = await open(name);
    assert.equal(await enabled(lock), false);
    assert.deepEqual(await unlock(lock, "0000"), { ok: true }, "no PIN, nothing to unlock");
    assert.deepEqual(await setPin(lock, "482913"), { ok: null });
    assert.equal(await enabled(lock), true);
    assert.deepEqual(await unlock(lock, "482914"), { ok: false, retryAfterMs: 0 });
    assert.deepEqual(await unlock(lock, "482913"), { ok: true });
    const again = await open(name);
    assert.equal(await enabled(again), true, "the PIN survives reopening");
    assert.deepEqual(await unlock(again, "482913"), { ok: true });
    assert.deepEqual(await setPin(again, "1111"), {
      error: { name: "LockError", code: "pin_already_set", retryAfterMs: 0 },
    });
    const raw = JSON.stringify(await browser.page.evaluate((n) => boteLock.raw(n), name));
    assert.equal(raw.includes("482913"), false, raw);
    assert.match(raw, /"salt":"bytes:16","verifier":"bytes:32","iterations":600000/);
  });

  it("waits 30 s after the 5th wrong PIN, doubling, refusing even the right PIN meanwhile; reopening keeps the count", async () => {
    const name = fresh();
    const lock = await open(name);
    await setPin(lock, "2468");
    for (let i = 1; i <= 4; i++)
      assert.deepEqual(await unlock(lock, "1357"), { ok: false, retryAfterMs: 0 }, `try ${i}`);
    assert.deepEqual(await unlock(lock, "1357"), { ok: false, retryAfterMs: 30_000 }, "5th wrong");
    assert.deepEqual(await unlock(lock, "2468"), { ok: false, retryAfterMs: 30_000 }, "refused unchecked");
    await advance(10_000);
    const reopened = await open(name);
    assert.deepEqual(await unlock(reopened, "2468"), { ok: false, retryAfterMs: 20_000 }, "the wait is stored");
    await advance(20_000);
    assert.deepEqual(await unlock(reopened, "1357"), { ok: false, retryAfterMs: 60_000 }, "6th wrong doubles");
    await advance(60_000);
    assert.deepEqual(await unlock(reopened, "2468"), { ok: true }, "right after the wait");
    assert.deepEqual(await unlock(reopened, "1357"), { ok: false, retryAfterMs: 0 }, "a right PIN resets the count");
  });

  it("never waits longer than an hour", async () => {
    const name = fresh();
    const lock = await open(name);
    await setPin(lock, "9876");
    let last = 0;
    for (let i = 1; i <= 12; i++) {
      const result = await unlock(lock, "0000");
      assert.equal(result.ok, false);
      last = result.ok ? 0 : result.retryAfterMs;
      await advance(last);
    }
    assert.equal(last, 3_600_000);
  });

  it("removes the PIN only with the right PIN; a wrong one counts", async () => {
    const name = fresh();
    const lock = await open(name);
    await setPin(lock, "123456789012");
    assert.deepEqual(await removePin(lock, "123456789013"), {
      error: { name: "LockError", code: "pin_wrong", retryAfterMs: 0 },
    });
    assert.equal(await enabled(lock), true);
    assert.deepEqual(await removePin(lock, "123456789012"), { ok: null });
    assert.equal(await enabled(lock), false);
    assert.equal(await enabled(await open(name)), false, "removed for good");
    assert.deepEqual(await browser.page.evaluate((n) => boteLock.raw(n), name), []);
    assert.deepEqual(await setPin(lock, "5555"), { ok: null }, "a new PIN can be set");
  });

  it("refuses PINs that are not 4 to 12 digits with pin_invalid", async () => {
    const lock = await open(fresh());
    for (const pin of ["", "123", "1234567890123", "12a4", "１２３４", " 1234", "12.34"]) {
      assert.deepEqual(
        await setPin(lock, pin),
        { error: { name: "LockError", code: "pin_invalid", retryAfterMs: 0 } },
        JSON.stringify(pin),
      );
    }
    assert.equal(await enabled(lock), false);
    assert.deepEqual(await setPin(lock, "1234"), { ok: null });
    assert.deepEqual(await removePin(lock, "12"), {
      error: { name: "LockError", code: "pin_invalid", retryAfterMs: 0 },
    });
  });
});
