/** `node --import` this file to log every module the process resolves (see `loadLogHook.ts`). */
import { register } from "node:module";

register("./loadLogHook.js", import.meta.url);
