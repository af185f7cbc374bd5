import { api, type KvCacheType, kvCacheTypeSchema, type SplitPlan } from "@quantdeck/shared";
import { integerOption, parseCommandArgs, writeJson, type Command } from "../command.js";
import { CliError } from "../cliError.js";
import { formatBytes, keyValues, table } from "../format.js";
import { VERDICT_TEXT } from "./describe.js";

const USAGE = "plan MODEL [--ctx-size N] [--cache-type-k f16|q8_0|q4_0] [--workers BOX,BOX]";

export const planCommand: Command = {
  usage: USAGE,
  summary: "how a model on disk or a catalog quant (deepseek-v3-0324:UD-Q2_K_XL) fits this box",
  run: async ({ client, settings, args, stdout }) => {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        "ctx-size": { type: "string", short: "c" },
        "cache-type-k": { type: "string" },
        workers: { type: "string" },
      },
      USAGE,
    );
    const model = positionals[0];
    if (!model) throw CliError.usage("Which model?", `Usage: quantdeck ${USAGE}`);
    const contextSize = integerOption(values["ctx-size"], "ctx-size");
    let kvCacheType: KvCacheType | undefined;
    if (values["cache-type-k"] !== undefined) {
      const kv = kvCacheTypeSchema.safeParse(values["cache-type-k"]);
      if (!kv.success) throw CliError.usage("--cache-type-k is one of f16, q8_0, q4_0");
      kvCacheType = kv.data;
    }
    if (values.workers !== undefined) {
      const split = await client.call(api.planSplit, {
        body: {
          model,
          workers: values.workers.split(",").map((name) => name.trim()),
          ...(contextSize !== undefined && { contextSize }),
          ...(kvCacheType && { kvCacheType }),
        },
      });
      if (settings.json) return writeJson(stdout, split);
      return printSplit(split, stdout);
    }
    const plan = await client.call(api.plan, { query: { model, contextSize, kvCacheType } });
    if (settings.json) return writeJson(stdout, plan);
    const rows = [
      ["Verdict", VERDICT_TEXT[plan.verdict]],
      ["Placement", plan.strategy],
      ["Engine", plan.engine],
      [
        "Flags",
        [
          `--n-gpu-layers ${plan.gpuLayers}`,
          plan.cpuMoeLayers !== null && `--n-cpu-moe ${plan.cpuMoeLayers}`,
          plan.tensorSplit && `--tensor-split ${plan.tensorSplit.join(",")}`,
          `--threads ${plan.threads}`,
          `--ctx-size ${plan.contextSize}`,
          `--cache-type-k ${plan.kvCacheType}`,
        ]
          .filter(Boolean)
          .join(" "),
      ],
      [
        "Memory",
        `VRAM ${formatBytes(plan.predicted.vramBytes)}, RAM ${formatBytes(plan.predicted.ramBytes)} (KV cache ${formatBytes(plan.predicted.kvCacheBytes)})`,
      ],
      [
        "Speed",
        `${plan.tokensPerSecond.low.toFixed(1)}–${plan.tokensPerSecond.high.toFixed(1)} tok/s expected`,
      ],
      ["How", plan.formula.text],
      ["The guide", plan.ruleOfThumb.comparison.text],
    ];
    if (plan.shortfallBytes > 0) rows.splice(1, 0, ["Short by", formatBytes(plan.shortfallBytes)]);
    for (const note of plan.notes) rows.push(["Note", note.text]);
    stdout.write(keyValues(rows) + "\n");
  },
};

/** A split across boxes: each box's share, then the speed and what it rests on. */
function printSplit(plan: SplitPlan, stdout: NodeJS.WritableStream) {
  stdout.write(
    table(
      ["BOX", "ROLE", "LAYERS", "NEEDS", "HAS", "LINK"],
      plan.boxes.map((box) => [
        box.name,
        box.role,
        String(box.layers),
        formatBytes(box.predictedBytes),
        `${formatBytes(box.budgetBytes)} ${box.device === "gpu" ? "VRAM" : "RAM"}${box.fits ? "" : " (too little)"}`,
        box.link ? `${box.link.megabitsPerSecond} Mbit/s, ${box.link.latencyMs} ms` : "-",
      ]),
    ) + "\n",
  );
  const rows = [
    ["Fits", plan.fits ? "yes" : "no"],
    ["Flags", `--tensor-split ${plan.tensorSplit.join(",")}`],
    [
      "Speed",
      `${plan.tokensPerSecond.low.toFixed(1)}–${plan.tokensPerSecond.high.toFixed(1)} tok/s expected (one box alone: ${plan.singleBox.fits ? `${plan.singleBox.tokensPerSecond.high.toFixed(1)} tok/s` : "does not fit"})`,
    ],
    ["How", plan.formula.text],
    ...plan.notes.map((note) => ["Note", note.text]),
  ];
  stdout.write(keyValues(rows) + "\n");
}
