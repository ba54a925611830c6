/**
 * The push script of the service worker (see sw.ts): the SDK and the
 * store, which handling a push needs and nothing else in the worker does.
 * Bundled on its own as a classic script; it hands its handler to the
 * worker through the global scope, the only way importScripts() has.
 */
import { onPush, type PushScope } from "./onPush.js";

export type PushHandler = (scope: PushScope) => Promise<void>;

(self as unknown as { botePush?: PushHandler }).botePush = onPush;
