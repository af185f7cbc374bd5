import { ERROR_STATUS, errorCodeSchema } from "@quantdeck/shared";
import { describe, expect, it } from "vitest";
import { AgentError } from "./AgentError.js";
import { busy, engineCrashed, modelNotLoaded, promptTooLong } from "./commonErrors.js";

describe("AgentError", () => {
  it("takes its HTTP status from the code's row in the one table", () => {
    expect(modelNotLoaded().status).toBe(409);
    expect(promptTooLong(5000, 4096).status).toBe(413);
    expect(busy(3).status).toBe(429);
    expect(engineCrashed("gone").status).toBe(503);
    for (const code of errorCodeSchema.options)
      expect(new AgentError({ code, title: code }).status).toBe(ERROR_STATUS[code]);
  });

  it("wraps anything else as an internal error that names its cause, and keeps itself", () => {
    const own = modelNotLoaded();
    expect(AgentError.from(own)).toBe(own);
    const wrapped = AgentError.from(new Error("disk on fire"));
    expect(wrapped.apiError).toMatchObject({ code: "internal", cause: "disk on fire" });
    expect(wrapped.status).toBe(500);
  });

  it("reads the same wherever it is raised", () => {
    expect(modelNotLoaded().apiError).toEqual(modelNotLoaded().apiError);
    expect(promptTooLong(5000, 4096).apiError.title).toBe(
      "The prompt is 5000 tokens; the context holds 4096",
    );
  });
});
