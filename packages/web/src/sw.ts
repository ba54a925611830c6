/**
 * The service worker: it keeps the app shell of one build (HTML, script,
 * stylesheet, manifest, icons) so Bote starts without a network, and
 * nothing else. The API (/v1/*), blobs, and every other request go to the
 * network untouched and are never stored: decrypted content lives only in
 * the sealed IndexedDB store, and server answers are not the worker's to
 * keep. A push wakes it to fetch and show what arrived (push/onPush.ts);
 * a click on a notification opens its chat. The build script
 * (scripts/build.mjs) bundles this file on its own and defines the
 * constants below for the build it belongs to.
 *
 * Handling a push needs the whole SDK (MLS, the store); that is the push
 * script (push/swPush.ts), not this file. A browser starts the worker for
 * every page load it controls, so this file stays a few kB. A service worker
 * may not use import(), and importScripts() may load a new script only
 * while the worker installs: install loads it once, and the browser keeps
 * it with the worker, so a push can import it again without the network.
 */
import type { PushScope } from "./push/onPush.js";
import type { PushHandler } from "./push/swPush.js";

/** Paths of this build's shell files, "/" first. */
declare const BOTE_SHELL_FILES: string[];
/** A hash of the shell files; a new build gets a new cache. */
declare const BOTE_BUILD_ID: string;
/** Path of the push script of this build. */
declare const BOTE_PUSH_SCRIPT: string;

// The DOM lib has no service worker types (they are in the WebWorker lib,
// which conflicts with DOM); these are the few parts used here.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface NotificationEvent extends ExtendableEvent {
  readonly notification: Notification;
}
interface WindowClient {
  readonly url: string;
  focus(): Promise<WindowClient>;
  navigate(url: string): Promise<WindowClient | null>;
}
interface ServiceWorkerScope {
  readonly location: Location;
  readonly registration: PushScope["registration"];
  readonly clients: {
    claim(): Promise<void>;
    matchAll(options: { type: "window"; includeUncontrolled: boolean }): Promise<WindowClient[]>;
    openWindow(url: string): Promise<WindowClient | null>;
  };
  skipWaiting(): Promise<void>;
  importScripts(...urls: string[]): void;
  /** Set by the push script. */
  botePush?: PushHandler;
  addEventListener(type: "install" | "activate" | "push", listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", listener: (event: FetchEvent) => void): void;
  addEventListener(type: "notificationclick", listener: (event: NotificationEvent) => void): void;
}

const worker = self as unknown as ServiceWorkerScope;
const CACHE_PREFIX = "bote-shell-";
const cacheName = `${CACHE_PREFIX}${BOTE_BUILD_ID}`;
const shellPaths = new Set(BOTE_SHELL_FILES);

/** The push script, evaluated once per start of the worker and only when a push comes. */
function pushHandler(): PushHandler {
  if (worker.botePush === undefined) worker.importScripts(BOTE_PUSH_SCRIPT);
  if (worker.botePush === undefined) throw new Error("bote: the push script set no handler");
  return worker.botePush;
}

worker.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      // Now or never: after the install, importScripts() finds only the scripts loaded here.
      pushHandler();
      const cache = await caches.open(cacheName);
      // "reload": the files of this build from the server, not from the HTTP cache.
      await cache.addAll(BOTE_SHELL_FILES.map((path) => new Request(path, { cache: "reload" })));
      // The shell is one bundle, so a new build may take over open tabs at once.
      await worker.skipWaiting();
    })(),
  );
});

worker.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== cacheName) await caches.delete(name);
      }
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin || url.search !== "" || !shellPaths.has(url.pathname)) return;
  // Never /v1/*: the shell list is made from static files only, and this guard keeps it so.
  if (url.pathname === "/v1" || url.pathname.startsWith("/v1/")) return;
  event.respondWith((async () => (await (await caches.open(cacheName)).match(url.pathname)) ?? fetch(request))());
});

worker.addEventListener("push", (event) => event.waitUntil(pushHandler()(worker)));

worker.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data as { url?: unknown } | null;
  // Only paths of this app: a notification's data is the worker's own, but a path is all it may name.
  const path = typeof data?.url === "string" && data.url.startsWith("/#/") ? data.url : "/#/";
  const url = new URL(path, worker.location.origin).href;
  event.waitUntil(
    (async () => {
      const [open] = await worker.clients.matchAll({ type: "window", includeUncontrolled: true });
      if (open === undefined) {
        await worker.clients.openWindow(url);
        return;
      }
      await open.focus();
      await open.navigate(url);
    })(),
  );
});
