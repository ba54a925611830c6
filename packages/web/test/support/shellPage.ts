/**
 * What the service worker test page runs (bundled by esbuild): it registers
 * /sw.js and reports what the worker cached and how requests are answered.
 */
async function register(): Promise<void> {
  if (navigator.serviceWorker.controller !== null) return;
  const controlled = new Promise<void>((resolve) =>
    navigator.serviceWorker.addEventListener("controllerchange", () => resolve(), { once: true }),
  );
  await navigator.serviceWorker.register("/sw.js");
  await controlled;
  await activated();
}

/** Waits until the worker controlling the page has finished activating (its old caches are gone then). */
async function activated(): Promise<void> {
  const controller = navigator.serviceWorker.controller;
  if (controller === null) throw new Error("not controlled");
  while (controller.state !== "activated") {
    await new Promise((resolve) => controller.addEventListener("statechange", resolve, { once: true }));
  }
}

/** Asks for a new worker and waits until it has taken over the page. */
async function update(): Promise<void> {
  const registration = await navigator.serviceWorker.getRegistration();
  if (registration === undefined) throw new Error("no registration");
  const controlled = new Promise<void>((resolve) =>
    navigator.serviceWorker.addEventListener("controllerchange", () => resolve(), { once: true }),
  );
  await registration.update();
  await controlled;
  await activated();
}

async function cacheState(): Promise<Record<string, string[]>> {
  const state: Record<string, string[]> = {};
  for (const name of await caches.keys()) {
    const requests = await (await caches.open(name)).keys();
    state[name] = requests.map((r) => new URL(r.url).pathname).sort();
  }
  return state;
}

async function get(path: string, init?: RequestInit): Promise<{ status: number; body: string }> {
  const response = await fetch(path, init);
  return { status: response.status, body: await response.text() };
}

const api = { register, update, cacheState, get };
export type ShellPageApi = typeof api;
(globalThis as unknown as { boteShell: ShellPageApi }).boteShell = api;
