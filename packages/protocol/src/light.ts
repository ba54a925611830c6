// What a screen may import before a device is open: no protobuf-es (the
// frame and content codecs and their generated files) and no zod (request
// schemas). Through the index, one value from content.ts put protobuf-es
// into the web app's first load.
export * from "./errors.js";
export * from "./base64url.js";
export * from "./limits.js";
export * from "./padding.js";
export * from "./api.js";
export * from "./mediaTypes.js";
export * from "./statements/index.js";
export * from "./push.js";
export * from "./contactPointApi.js";
export * from "./privacyApi.js";
// Types only: the generated file's values build a descriptor with protobuf-es.
export type * from "./gen/bote/v1/content_pb.js";
export type * from "./requestSchemas.js";
