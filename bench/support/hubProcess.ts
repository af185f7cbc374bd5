// The test hub in a process of its own, for the download benchmark: in the benchmark's
// process it would share one event loop with the polling of the agent's progress, and
// curl (which nobody polls) would get a faster hub than the agent.
//   tsx hubProcess.ts REPO[,REPO…] DIR [BYTES_PER_SECOND]  → prints the hub's URL, serves until killed
// Several repos publish the same folder (a download per repo, each new to the agent).
import { startTestHub } from "@quantdeck/test-hub";

const [repos, dir, bandwidth] = process.argv.slice(2);
if (!repos || !dir) throw new Error("usage: hubProcess.ts REPO[,REPO…] DIR [BYTES_PER_SECOND]");
const hub = await startTestHub({
  repos: repos.split(",").map((repo) => ({ repo, dir })),
  bandwidthPerConnection: bandwidth ? Number(bandwidth) : undefined,
});
console.log(hub.url);
process.once("SIGTERM", () => void hub.close().then(() => process.exit(0)));
