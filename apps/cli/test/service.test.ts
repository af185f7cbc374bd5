import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { runCli } from "./support/runCli.js";

const work = mkdtempSync(join(tmpdir(), "quantdeck-cli-service-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const dirs = ["--unit-dir", join(work, "units"), "--config-dir", join(work, "config")];

it("writes a unit with an explicit bind address and a 0600 token file, and keeps the token", async () => {
  const install = await runCli(["service", "install", "--no-start", "--json", ...dirs]);
  expect(install.code).toBe(0);
  const unitPath = join(work, "units", "quantdeck-agent.service");
  const envPath = join(work, "config", "agent.env");
  const unit = readFileSync(unitPath, "utf8");
  expect(unit).toMatch(/^Environment=QUANTDECK_HOST=127\.0\.0\.1$/m);
  expect(unit).toMatch(/^ExecStart=\S*node\S* \S+\/apps\/agent\/dist\/main\.js$/m);
  expect(unit).toContain(`EnvironmentFile=${envPath}`);
  expect(unit).not.toMatch(/QUANTDECK_TOKEN=/);
  expect(statSync(envPath).mode & 0o777).toBe(0o600);
  const token = /^QUANTDECK_TOKEN=([0-9a-f]{48})$/m.exec(readFileSync(envPath, "utf8"))?.[1];
  expect(token).toBeDefined();

  // Installing again (say, to change the port) keeps the token clients already have.
  await runCli(["service", "install", "--no-start", "--port", "7801", ...dirs]);
  expect(readFileSync(envPath, "utf8")).toContain(`QUANTDECK_TOKEN=${token}`);
  expect(readFileSync(unitPath, "utf8")).toMatch(/^Environment=QUANTDECK_PORT=7801$/m);

  const uninstall = await runCli(["service", "uninstall", "--no-start", ...dirs]);
  expect(uninstall.code).toBe(0);
  expect(existsSync(unitPath)).toBe(false);
  expect(existsSync(envPath)).toBe(true);
});

it("the unit passes systemd-analyze verify", async () => {
  const install = await runCli([
    "service",
    "install",
    "--no-start",
    "--system",
    "--run-as",
    "root",
    ...dirs,
  ]);
  expect(install.code).toBe(0);
  const unit = readFileSync(join(work, "units", "quantdeck-agent.service"), "utf8");
  expect(unit).toMatch(/^User=root$/m);
  expect(unit).toMatch(/^StateDirectory=quantdeck$/m);
  expect(unit).toMatch(/^WantedBy=multi-user\.target$/m);
  // .ci/run installs systemd, so this runs in CI; it fails loudly rather than skip if missing.
  const { stderr } = await promisify(execFile)("systemd-analyze", [
    "verify",
    join(work, "units", "quantdeck-agent.service"),
  ]).catch((error: { stderr: string; code: number }) => {
    throw new Error(`systemd-analyze verify failed (${error.code}):\n${error.stderr}`);
  });
  expect(stderr).not.toMatch(/quantdeck-agent\.service:\d+:/);
});

it("refuses values that would inject directives, and escapes specifiers and variables", async () => {
  for (const host of ["127.0.0.1\nExecStartPre=/bin/touch /tmp/pwned", "a b", "%h", "host;rm"]) {
    const result = await runCli(["service", "install", "--print", "--host", host, ...dirs]);
    expect(result.code).toBe(2);
    expect(result.stdout).not.toContain("ExecStartPre");
    expect(result.stderr).toContain("Cannot write that into a service unit");
  }
  const runAs = await runCli([
    "service",
    "install",
    "--print",
    "--system",
    "--run-as",
    "root\nExecStartPre=/bin/sh",
    ...dirs,
  ]);
  expect(runAs.code).toBe(2);
  const dataDir = join(work, "100% $HOME data");
  const printed = await runCli(["service", "install", "--print", "--data-dir", dataDir, ...dirs]);
  expect(printed.code).toBe(0);
  expect(printed.stdout).toContain(
    `Environment="QUANTDECK_DATA_DIR=${join(work, "100%% $HOME data")}"`,
  );
  const newline = await runCli([
    "service",
    "install",
    "--print",
    "--data-dir",
    `${work}/x\ny`,
    ...dirs,
  ]);
  expect(newline.code).toBe(2);
});
