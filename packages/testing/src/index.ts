export { createTestDatabase, postgresSkipReason, type TestDatabase } from "./postgres.js";
