import {
  describeModel,
  deepseekV3Shape,
  dynamicQuantMix,
  GgmlType,
  type GgmlTypeName,
} from "@quantdeck/gguf-synth";
import { modelAnatomy, type ModelAnatomy } from "./modelAnatomy.js";

/**
 * The tensor mix of each dynamic quant, approximately: routed experts at the quant's own
 * type, the sensitive down projection one step up, everything else (attention, shared
 * experts, embeddings) at a higher type. Sizes then scale to the catalog's real file size.
 */
const MIXES: Record<
  string,
  [experts: GgmlTypeName, downExperts: GgmlTypeName, other: GgmlTypeName]
> = {
  IQ1_S: ["IQ1_S", "IQ2_XXS", "Q4_K"],
  IQ1_M: ["IQ1_M", "IQ2_XXS", "Q4_K"],
  IQ2_XXS: ["IQ2_XXS", "IQ2_XS", "Q4_K"],
  Q2_K_XL: ["Q2_K", "Q3_K", "Q4_K"],
  Q3_K_XL: ["Q3_K", "Q4_K", "Q5_K"],
  Q4_K_XL: ["Q4_K", "Q5_K", "Q6_K"],
};

/** A DeepSeek-V3-0324 quant's anatomy before any byte of it is downloaded. */
export function catalogAnatomy(quantType: string, sizeBytes: number): ModelAnatomy {
  const [experts, downExperts, other] = MIXES[quantType] ?? ["Q4_K", "Q5_K", "Q6_K"];
  const described = describeModel({
    shape: deepseekV3Shape,
    type: experts,
    tensorType: dynamicQuantMix(experts, downExperts, other),
  });
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of described.metadata)
    if (value.kind !== "array") metadata[key] = value.value;
  const anatomy = modelAnatomy(
    metadata,
    described.tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: GgmlType[t.type] })),
  );
  return scaleAnatomy(anatomy, sizeBytes / anatomy.totalBytes);
}

function scaleAnatomy(anatomy: ModelAnatomy, factor: number): ModelAnatomy {
  return {
    ...anatomy,
    totalBytes: anatomy.totalBytes * factor,
    embeddingBytes: anatomy.embeddingBytes * factor,
    outputBytes: anatomy.outputBytes * factor,
    layers: anatomy.layers.map((l) => ({
      attention: l.attention * factor,
      denseFfn: l.denseFfn * factor,
      routedExperts: l.routedExperts * factor,
      sharedExperts: l.sharedExperts * factor,
      norms: l.norms * factor,
    })),
  };
}
