import { describe, expect, it } from "vitest";
import { limitThatStopped } from "./describeOutcome.js";

const ended = (exitCode: number | null, stderr = "", extra = {}) =>
  limitThatStopped({
    timedOut: false,
    exitCode,
    stderr,
    cgroupHit: { memory: false, processes: false },
    ...extra,
  });

describe("which sandbox limit stopped a program", () => {
  it("reads the kernel's signals and Python's errors", () => {
    expect(ended(128 + 24)).toBe("cpu");
    expect(ended(128 + 25)).toBe("fileSize");
    expect(ended(1, "MemoryError")).toBe("memory");
    expect(ended(1, "BlockingIOError: [Errno 11] Resource temporarily unavailable")).toBe(
      "processes",
    );
    expect(ended(1, "OSError: [Errno 28] No space left on device")).toBe("disk");
    expect(ended(null, "", { timedOut: true })).toBe("time");
    expect(ended(1, "ZeroDivisionError: division by zero")).toBeNull();
  });

  it("trusts the sandbox's own counters where it has a cgroup", () => {
    expect(ended(137, "", { cgroupHit: { memory: true, processes: false } })).toBe("memory");
    expect(ended(0, "", { cgroupHit: { memory: false, processes: true } })).toBe("processes");
  });
});
