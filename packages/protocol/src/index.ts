export * from "./errors.js";
export * from "./base64url.js";
export * from "./limits.js";
export * from "./padding.js";
export * from "./api.js";
export * from "./frames.js";
export * from "./content.js";
export * from "./statements/index.js";
