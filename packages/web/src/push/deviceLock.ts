/**
 * The app and the service worker must never both work on the device's
 * store: each step that moves an MLS ratchet reads and writes its state,
 * and two writers would roll it back. The worker holds this Web Lock while
 * it processes a push, and only when no window of the app is open; the app
 * waits for it before it opens the device.
 */
export const DEVICE_LOCK = "bote-device";

/** Resolves once no service worker holds the device (at once where the browser has no Web Locks). */
export async function waitForServiceWorker(): Promise<void> {
  await globalThis.navigator?.locks?.request(DEVICE_LOCK, () => undefined);
}
