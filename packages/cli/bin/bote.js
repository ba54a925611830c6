#!/usr/bin/env node
// A committed entry point, so npm links `bote` on a fresh `npm ci` even
// before the TypeScript build (run by `prepare`) has written dist/.
await import("../dist/src/bin.js");
