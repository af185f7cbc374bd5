import type { EngineChoice, EnginePreference } from "@quantdeck/shared";
import type { EngineBuild } from "./EngineBuilder.js";

/**
 * Which engine serves generation. llama.cpp's own llama-server is faster here (measured:
 * node-llama-cpp reaches 0.91–0.96× of llama-bench at best, llama-server 0.94–1.01×) and is
 * the only one that keeps MoE experts in RAM, so once built it is the default — unless the
 * user chose otherwise. node-llama-cpp keeps everything working before the build.
 */
export function chooseEngine(
  preference: EnginePreference,
  build: EngineBuild | null,
): EngineChoice {
  if (preference === "node-llama-cpp")
    return { kind: "node-llama-cpp", reason: "Chosen in the settings." };
  if (!build)
    return {
      kind: "node-llama-cpp",
      reason:
        preference === "llama-server"
          ? "llama-server was chosen but is not built yet: build it in Settings → Engine. node-llama-cpp serves until then."
          : "llama-server is not built on this machine yet; node-llama-cpp serves until it is (Settings → Engine).",
    };
  return {
    kind: "llama-server",
    reason:
      preference === "llama-server"
        ? "Chosen in the settings."
        : `llama.cpp's own server (${build.backend} build): faster than node-llama-cpp here, and it can keep MoE experts in RAM (--n-cpu-moe).`,
  };
}
