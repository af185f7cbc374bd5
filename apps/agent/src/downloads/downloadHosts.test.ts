import { describe, expect, it } from "vitest";
import { isDownloadHost } from "./downloadHosts.js";

describe("isDownloadHost", () => {
  const hosts = { names: ["127.0.0.1", "mirror.example"], domains: ["huggingface.co", "hf.co"] };
  const allowed = (url: string) => isDownloadHost(hosts, new URL(url));

  it("allows the named hosts and the domains with their subdomains", () => {
    expect(allowed("http://127.0.0.1:8080/x")).toBe(true);
    expect(allowed("https://mirror.example/x")).toBe(true);
    expect(allowed("https://huggingface.co/x")).toBe(true);
    expect(allowed("https://cdn-lfs.hf.co/x")).toBe(true);
    expect(allowed("https://cas-bridge.xethub.huggingface.co/x")).toBe(true);
  });

  it("refuses look-alikes and every other host", () => {
    expect(allowed("https://evilhuggingface.co/x")).toBe(false);
    expect(allowed("https://huggingface.co.evil.example/x")).toBe(false);
    expect(allowed("https://sub.mirror.example/x")).toBe(false);
    expect(allowed("http://127.0.0.2/x")).toBe(false);
  });
});
