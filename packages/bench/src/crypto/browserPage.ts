/**
 * The page side of `npm run bench:crypto -- --browser`: browser.ts bundles
 * this file with esbuild (browser conditions, so @bote/core brings its
 * browser provider) and calls `boteCryptoBench` in Chromium. The floor is
 * WebCrypto, measured in the same page.
 */
import type { Options } from "./options.js";
import type { CryptoResult } from "./report.js";
import { runCryptoBench } from "./run.js";
import { makeWebCryptoFloorMessage, WEBCRYPTO_FLOOR_LABEL } from "./webCryptoFloor.js";

async function boteCryptoBench(o: Options): Promise<CryptoResult> {
  const floor = { label: WEBCRYPTO_FLOOR_LABEL, message: await makeWebCryptoFloorMessage(o.payload) };
  // browser.ts forwards the console, so progress shows as on Node.
  return runCryptoBench(o, [floor], (text) => console.log(text));
}

(globalThis as { boteCryptoBench?: typeof boteCryptoBench }).boteCryptoBench = boteCryptoBench;
