import type { EngineChoice, EnginePreference } from "@quantdeck/shared";
import type { EngineBuild } from "./EngineBuilder.js";

/**
 * Which engine serves generation. llama.cpp's own llama-server is faster here (measured:
 * node-llama-cpp reaches 0.93–1.00× of llama-server's speed) and is the only one that keeps
 * MoE experts in RAM, so once built — or given (QUANTDECK_LLAMA_SERVER) — it is the default,
 * unless the user chose otherwise. node-llama-cpp keeps everything working before the build.
 */
export function chooseEngine(
  preference: EnginePreference,
  build: EngineBuild | null,
  /** Why the user's own llama-server (QUANTDECK_LLAMA_SERVER) could not be used. */
  suppliedProblem: string | null = null,
): EngineChoice {
  if (preference === "node-llama-cpp")
    return { kind: "node-llama-cpp", reason: "Chosen in the settings." };
  const notUsable = suppliedProblem
    ? `QUANTDECK_LLAMA_SERVER cannot be used (${suppliedProblem}). `
    : "";
  if (!build)
    return {
      kind: "node-llama-cpp",
      reason:
        notUsable +
        (preference === "llama-server"
          ? "llama-server was chosen but is not built yet: build it in Settings → Engine. node-llama-cpp serves until then."
          : "llama-server is not built on this machine yet; node-llama-cpp serves until it is (Settings → Engine)."),
    };
  if (build.supplied)
    return {
      kind: "llama-server",
      reason: `Your own llama-server (QUANTDECK_LLAMA_SERVER, ${build.supplied.version}), used instead of a build of Quantdeck's.`,
    };
  return {
    kind: "llama-server",
    reason:
      notUsable +
      (preference === "llama-server"
        ? "Chosen in the settings."
        : `llama.cpp's own server (${build.backend} build): faster than node-llama-cpp here, and it can keep MoE experts in RAM (--n-cpu-moe).`),
  };
}
