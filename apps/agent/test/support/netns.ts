import { execFileSync, execFile } from "node:child_process";
import { randomBytes } from "node:crypto";

/**
 * Another machine on a private link, made on this one: a network namespace joined to the
 * host by a veth pair. The host end is `hostAddress`, the far end `address`; both exist
 * only while the namespace does, and nothing is routed beyond them. Needs root (CI runs as
 * root); fails with a clear message where namespaces cannot be made.
 */
export class TestNetns {
  private constructor(
    readonly name: string,
    private readonly hostLink: string,
    private readonly farLink: string,
    readonly hostAddress: string,
    readonly address: string,
  ) {}

  static create(subnet = 231): TestNetns {
    const id = randomBytes(3).toString("hex");
    const name = `qd-${id}`;
    const [hostLink, farLink] = [`qdh${id}`, `qdf${id}`];
    const hostAddress = `10.${subnet}.0.1`;
    const address = `10.${subnet}.0.2`;
    const ip = (...args: string[]) => execFileSync("ip", args, { stdio: "pipe" });
    try {
      ip("netns", "add", name);
      ip("link", "add", hostLink, "type", "veth", "peer", "name", farLink);
      ip("link", "set", farLink, "netns", name);
      ip("addr", "add", `${hostAddress}/24`, "dev", hostLink);
      ip("link", "set", hostLink, "up");
      ip("netns", "exec", name, "ip", "addr", "add", `${address}/24`, "dev", farLink);
      ip("netns", "exec", name, "ip", "link", "set", farLink, "up");
      ip("netns", "exec", name, "ip", "link", "set", "lo", "up");
    } catch (error) {
      new TestNetns(name, hostLink, farLink, hostAddress, address).remove();
      throw new Error(
        `could not make a network namespace (run the tests as root, with iproute2): ${String(error)}`,
      );
    }
    return new TestNetns(name, hostLink, farLink, hostAddress, address);
  }

  /** An HTTP request made from inside the namespace, with any headers (Host included). */
  request(
    url: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string }> {
    const script = `
      const http = require("node:http");
      const req = http.get(${JSON.stringify(url)}, { headers: ${JSON.stringify(headers)} }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => console.log(JSON.stringify({ status: res.statusCode, body })));
      });
      req.on("error", (e) => console.log(JSON.stringify({ status: 0, body: e.message })));`;
    return new Promise((resolve, reject) =>
      execFile(
        "ip",
        ["netns", "exec", this.name, process.execPath, "-e", script],
        (error, stdout) => {
          if (error) reject(new Error(`request from ${this.name} failed: ${error.message}`));
          else resolve(JSON.parse(stdout) as { status: number; body: string });
        },
      ),
    );
  }

  /**
   * Caps what this machine sends into the namespace (`tc tbf`, e.g. "1gbit"); null takes
   * the cap off. (Added latency would need netem, which this kernel lacks.)
   */
  capRate(rate: string | null): void {
    const tc = (...args: string[]) => execFileSync("tc", args, { stdio: "pipe" });
    if (rate === null) tc("qdisc", "del", "dev", this.hostLink, "root");
    else
      tc(
        ...["qdisc", "replace", "dev", this.hostLink, "root", "tbf"],
        ...["rate", rate, "burst", "256kb", "latency", "100ms"],
      );
  }

  /** A command run inside the namespace; its output. */
  exec(command: string, ...args: string[]): string {
    return execFileSync("ip", ["netns", "exec", this.name, command, ...args], {
      encoding: "utf8",
      stdio: "pipe",
    });
  }

  remove(): void {
    for (const args of [
      ["link", "del", this.hostLink],
      ["netns", "del", this.name],
    ]) {
      try {
        execFileSync("ip", args, { stdio: "pipe" });
      } catch {
        // not made, or gone with the namespace
      }
    }
  }
}
