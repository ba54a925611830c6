export * from "./statements.js";
export * from "./checks.js";
export { StatementDecodeError } from "./bytes.js";
