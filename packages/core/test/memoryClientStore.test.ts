import { describeClientStoreContract } from "@bote/testing";
import { MemoryClientStore } from "@bote/core";

// No reopen: a memory store keeps nothing once closed.
describeClientStoreContract("memory", () =>
  Promise.resolve({ store: new MemoryClientStore(), cleanup: () => Promise.resolve() }),
);
