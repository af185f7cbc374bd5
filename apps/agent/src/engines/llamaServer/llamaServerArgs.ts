import { LOAD_KNOBS, type LoadKnob, type ResolvedLoadOptions } from "@quantdeck/shared";

const PRIORITY = { normal: 0, medium: 1, high: 2, realtime: 3 } as const;

/**
 * The plan and the load knobs as llama-server's flags: the reference recipe's
 * `--cache-type-k q8_0 --threads N --n-gpu-layers K --ctx-size 4096`, and what only this
 * engine has (`--n-cpu-moe` keeps N layers' MoE experts in RAM).
 */
export function llamaServerArgs(
  modelPath: string,
  options: ResolvedLoadOptions,
  port: number,
): string[] {
  const args = ["--model", modelPath, "--host", "127.0.0.1", "--port", String(port)];
  for (const knob of LOAD_KNOBS) {
    const value = options[knob.key];
    const flag = `--${knob.flag}`;
    switch (knob.key) {
      // Each of the parallel slots gets its share of the context, as with the other engine.
      case "contextSize":
        args.push(flag, String(options.contextSize * options.parallel));
        break;
      case "gpuLayers":
        args.push(flag, value === "max" ? "all" : String(value));
        break;
      case "threads":
        args.push(flag, String(value), "--threads-batch", String(value));
        break;
      case "priority":
        args.push(flag, String(PRIORITY[options.priority]));
        break;
      case "cpuMoeLayers":
        if (value !== null) args.push(flag, String(value));
        break;
      default:
        args.push(...flagFor(knob, value));
    }
  }
  args.push("--jinja", "--metrics", "--no-webui");
  return args;
}

/** A knob's flag in its own syntax: a number or word, on/off, or present when it applies. */
function flagFor(knob: LoadKnob, value: unknown): string[] {
  const flag = `--${knob.flag}`;
  switch (knob.syntax.kind) {
    case "presenceSets":
      return value === knob.syntax.value ? [flag] : [];
    case "onOff":
      return [flag, value ? "on" : "off"];
    default:
      return [flag, String(value)];
  }
}
