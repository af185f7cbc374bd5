export { startTestHub, type TestHubOptions, type TestRepo } from "./startTestHub.js";
