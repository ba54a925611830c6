export { runCli } from "./cli.js";
export { parseServeOptions, type ServeOptions, type ParsedServeOptions } from "./serve.js";
export { messages, cliLanguage, UsageError } from "./messages.js";
