export { startTestHub, type Fault, type TestHubOptions, type TestRepo } from "./startTestHub.js";
