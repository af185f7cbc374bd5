import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./env.js";

describe("loadConfig", () => {
  it("defaults to loopback with no token", () => {
    const config = loadConfig([], { QUANTDECK_DATA_DIR: "/tmp/qd" });
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 7700,
      dataDir: "/tmp/qd",
      modelsDir: "/tmp/qd/models",
      token: undefined,
    });
  });

  it("lets flags win over the environment", () => {
    const config = loadConfig(["--port", "9000", "--models-dir", "/srv/models"], {
      QUANTDECK_PORT: "8000",
    });
    expect(config.port).toBe(9000);
    expect(config.modelsDir).toBe("/srv/models");
  });

  it("refuses a non-loopback address without a token, with a hint", () => {
    expect(() => loadConfig([], { QUANTDECK_HOST: "0.0.0.0" })).toThrow(ConfigError);
    try {
      loadConfig(["--host", "192.168.1.5"], {});
    } catch (error) {
      expect((error as ConfigError).message).toContain("without an access token");
      expect((error as ConfigError).hint).toContain("QUANTDECK_TOKEN");
    }
  });

  it("accepts a non-loopback address with a long enough token", () => {
    const config = loadConfig([], { QUANTDECK_HOST: "0.0.0.0", QUANTDECK_TOKEN: "x".repeat(32) });
    expect(config.token).toHaveLength(32);
  });

  it("takes the user's own llama-server only when it is an executable file", () => {
    expect(loadConfig([], { QUANTDECK_LLAMA_SERVER: "/bin/sh" }).llamaServerPath).toBe("/bin/sh");
    expect(() => loadConfig([], { QUANTDECK_LLAMA_SERVER: "/nonexistent/llama-server" })).toThrow(
      /QUANTDECK_LLAMA_SERVER is not an executable file/,
    );
    expect(() => loadConfig([], { QUANTDECK_LLAMA_SERVER: "/etc" })).toThrow(ConfigError);
  });

  it("refuses a short token", () => {
    expect(() => loadConfig([], { QUANTDECK_TOKEN: "short" })).toThrow(/too short/);
  });

  it("refuses an invalid port and unknown flags", () => {
    expect(() => loadConfig([], { QUANTDECK_PORT: "70000" })).toThrow(ConfigError);
    expect(() => loadConfig(["--bogus"], {})).toThrow();
  });

  it("parses allowed host names", () => {
    expect(loadConfig([], { QUANTDECK_ALLOWED_HOSTS: "GPUBOX.lan, other " }).allowedHosts).toEqual([
      "gpubox.lan",
      "other",
    ]);
  });

  it("serves llama.cpp's RPC on loopback or a private address only, unless forced", () => {
    expect(loadConfig([], {}).rpc).toEqual({ host: "127.0.0.1", port: 50052, threads: undefined });
    for (const host of ["10.0.0.2", "172.20.1.1", "192.168.1.9", "100.100.1.1", "fd12:3456::1"])
      expect(loadConfig([], { QUANTDECK_RPC_HOST: host }).rpc.host).toBe(host);
    for (const host of ["0.0.0.0", "::", "8.8.8.8", "172.32.0.1", "gpubox.example"])
      expect(() => loadConfig([], { QUANTDECK_RPC_HOST: host })).toThrow(
        /Refusing to serve llama\.cpp's RPC on/,
      );
    expect(
      loadConfig([], { QUANTDECK_RPC_HOST: "0.0.0.0", QUANTDECK_RPC_ALLOW_PUBLIC: "1" }).rpc.host,
    ).toBe("0.0.0.0");
  });
});
