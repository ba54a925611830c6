/** The scriptable client: `bote join`, `send`, `sync`, `group …`, … on top of the SDK, one file per command group. */
import type { Command } from "commander";
import { registerAdmin } from "./admin/index.js";
import { registerDevice } from "./device.js";
import { registerChats, registerContacts, registerMessages } from "./chats.js";
import { registerJoin } from "./join.js";
import { registerDownload, registerSend } from "./send.js";
import { registerGroup } from "./group.js";
import { registerDisappearing } from "./disappearing.js";
import { registerListen, registerSync } from "./sync.js";
import { registerVerify } from "./verify.js";
import { registerContactPoint } from "./contactPoint.js";
import { registerInbox } from "./inbox.js";
import { registerInquiry } from "./inquiry.js";
import { registerDirectory } from "./directory.js";

export function registerClientCommands(program: Command): void {
  // In the order `bote --help` lists them, which is the order of registration.
  registerJoin(program);
  registerAdmin(program);
  registerDevice(program);
  registerContacts(program);
  registerDirectory(program);
  registerChats(program);
  registerSend(program);
  registerGroup(program);
  registerDisappearing(program);
  registerSync(program);
  registerListen(program);
  registerMessages(program);
  registerDownload(program);
  registerVerify(program);
  registerContactPoint(program);
  registerInbox(program);
  registerInquiry(program);
}
