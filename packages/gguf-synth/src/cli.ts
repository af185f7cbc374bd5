import { parseArgs } from "node:util";
import { GgmlType, type GgmlTypeName } from "./ggmlTypes.js";
import { demoDeepseek2Shape, deepseekV3Shape, tinyLlamaShape } from "./presets.js";
import { synthesizeModel } from "./synthesizeModel.js";
import type { ModelShape } from "./architectures/shapes.js";

const usage = `Usage: gguf-synth --out FILE.gguf [options]

  --preset NAME     demo-deepseek2 (default) | tiny-llama | deepseek-v3
  --type TYPE       tensor type: F32, F16, Q8_0 (default), Q4_0; any ggml type with --header-only
  --seed N          weight seed (default 1)
  --shards N        split into FILE-0000K-of-0000N.gguf (default 1)
  --layers N        override the layer count
  --embd N          override the embedding width
  --header-only     write tensor infos only, no weights
`;

const presets: Record<string, ModelShape> = {
  "demo-deepseek2": demoDeepseek2Shape,
  "tiny-llama": tinyLlamaShape,
  "deepseek-v3": deepseekV3Shape,
};

function main() {
  const { values } = parseArgs({
    options: {
      out: { type: "string" },
      preset: { type: "string", default: "demo-deepseek2" },
      type: { type: "string", default: "Q8_0" },
      seed: { type: "string", default: "1" },
      shards: { type: "string", default: "1" },
      layers: { type: "string" },
      embd: { type: "string" },
      "header-only": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  const base = presets[values.preset];
  if (values.help || !values.out || !base) {
    process.stdout.write(usage);
    process.exit(values.help ? 0 : 2);
  }
  if (!(values.type in GgmlType)) throw new Error(`unknown tensor type ${values.type}`);
  const shape: ModelShape = {
    ...base,
    ...(values.layers ? { blockCount: Number(values.layers) } : {}),
    ...(values.embd ? { embeddingLength: Number(values.embd) } : {}),
  };
  const model = synthesizeModel({
    path: values.out,
    shape,
    type: values.type as GgmlTypeName,
    seed: Number(values.seed),
    shards: Number(values.shards),
    headerOnly: values["header-only"],
  });
  const gb = (model.tensorBytes / 1e9).toFixed(3);
  process.stdout.write(
    `${model.files.join("\n")}\n${model.parameters} parameters, ${gb} GB of tensors\n`,
  );
}

main();
