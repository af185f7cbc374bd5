import { fitsBlocks, tensorByteSize, type GgmlTypeName } from "@quantdeck/gguf-synth";
import {
  typesNeedingImatrix,
  type QuantFileType,
  type QuantizeRequest,
  type TensorRule,
  type TensorType,
} from "@quantdeck/shared";
import { AgentError } from "../errors/AgentError.js";
import { badRequest } from "../errors/commonErrors.js";
import { tensorBytes, type TensorDescription } from "../catalog/modelAnatomy.js";

/** The tensor type a file type mostly uses (llama-quantize mixes in others; close enough to size). */
const MAIN_TYPE: Record<QuantFileType, GgmlTypeName> = {
  F16: "F16",
  BF16: "BF16",
  Q8_0: "Q8_0",
  Q6_K: "Q6_K",
  Q5_K_M: "Q5_K",
  Q5_K_S: "Q5_K",
  Q5_0: "Q5_0",
  Q4_K_M: "Q4_K",
  Q4_K_S: "Q4_K",
  Q4_0: "Q4_0",
  IQ4_XS: "IQ4_XS",
  IQ4_NL: "IQ4_NL",
  Q3_K_L: "Q3_K",
  Q3_K_M: "Q3_K",
  Q3_K_S: "Q3_K",
  IQ3_S: "IQ3_S",
  IQ3_XXS: "IQ3_XXS",
  Q2_K: "Q2_K",
  IQ2_M: "IQ2_S",
  IQ2_S: "IQ2_S",
  IQ2_XS: "IQ2_XS",
  IQ2_XXS: "IQ2_XXS",
  IQ1_M: "IQ1_M",
  IQ1_S: "IQ1_S",
};

/** Precisions a quant is made from; anything lower is a requantization. */
const HIGH_PRECISION = new Set(["F32", "F16", "BF16", "Q8_0"]);

/** The routed experts' down projections one step above the base type, at least 3 bits (the guide). */
function downExpertsType(base: QuantFileType): TensorType {
  const bits = tensorBits(MAIN_TYPE[base]);
  if (bits < 3.4) return "Q3_K";
  if (bits < 4.4) return "Q4_K";
  if (bits < 5.4) return "Q5_K";
  if (bits < 6.4) return "Q6_K";
  return "Q8_0";
}

const tensorBits = (type: GgmlTypeName) => (tensorByteSize(type, [256]) * 8) / 256;

/**
 * "Dynamic (guide)": attention, shared experts, the dense FFN layers (DeepSeek's leading
 * ones) and the output at Q8_0; routed experts at the base type; their down projections a
 * step above it, at least 3 bits. Rules match llama.cpp's tensor names, as --tensor-type does.
 */
export function dynamicPreset(base: QuantFileType): {
  rules: TensorRule[];
  outputType: TensorType;
} {
  return {
    rules: [
      { pattern: "\\.attn_", type: "Q8_0" },
      { pattern: "_shexp\\.", type: "Q8_0" },
      { pattern: "\\.ffn_(gate|up|down)\\.weight$", type: "Q8_0" },
      { pattern: "ffn_down_exps\\.", type: downExpertsType(base) },
    ],
    outputType: "Q8_0",
  };
}

export interface QuantizePlan {
  rules: TensorRule[];
  /** For each rule, how many tensors it gives its type (an earlier rule wins a tensor). */
  matches: number[];
  outputType: TensorType | undefined;
  embeddingType: TensorType | undefined;
  /** The new file's size, from the types each tensor will get. */
  estimatedBytes: number;
  /** llama-quantize's options, before the input, output, type and threads. */
  options: string[];
}

/** Tensors llama-quantize quantizes: weights with rows (norms and biases stay as they are). */
const quantizable = (t: TensorDescription) => t.name.endsWith(".weight") && t.shape.length >= 2;

/**
 * Checks a quantize request against the source's tensors and plans it: the rules (the
 * preset's after the user's, first match wins as in llama-quantize), the options, and the
 * size. Everything a user can get wrong is a 400 naming it.
 */
export function planQuantize(
  request: QuantizeRequest,
  source: { dominantType: string; tensors: TensorDescription[] },
): QuantizePlan {
  if (typesNeedingImatrix.has(request.type) && !request.imatrix)
    throw badRequest(
      `${request.type} needs an importance matrix`,
      "Turn on the importance matrix (computed from the evaluation text with llama-imatrix), or pick IQ3_XXS or a K-quant (Q2_K and up).",
    );
  if (!HIGH_PRECISION.has(source.dominantType) && !request.allowRequantize)
    throw new AgentError({
      code: "badRequest",
      title: `The source is already quantized (${source.dominantType})`,
      hint: "Requantizing adds the new quant's error to the old one's, so the result is worse than the same type made from F16 or Q8_0. Start from a higher precision, or allow requantizing explicitly.",
    });
  const preset = request.preset === "dynamic" ? dynamicPreset(request.type) : null;
  if (preset && tensorBits(MAIN_TYPE[request.type]) >= 8)
    throw badRequest(
      `The dynamic preset is for types below Q8_0, not ${request.type}`,
      "Pick a lower base type (e.g. Q2_K, Q3_K_M, Q4_K_M).",
    );
  const weights = source.tensors.filter(quantizable);
  request.rules.forEach((rule, i) => {
    let pattern: RegExp;
    try {
      pattern = new RegExp(rule.pattern);
    } catch (error) {
      throw badRequest(
        `Rule ${i + 1}'s pattern ${rule.pattern} is not a regular expression`,
        error instanceof Error ? error.message : undefined,
      );
    }
    if (!weights.some((t) => pattern.test(t.name)))
      throw badRequest(
        `Rule ${i + 1}'s pattern ${rule.pattern} matches no tensor of the source`,
        `Tensor names look like ${weights[0]?.name ?? "blk.0.attn_q.weight"}.`,
      );
  });
  // The preset's rules that apply to this architecture (a dense model has no experts).
  const presetRules = (preset?.rules ?? []).filter((rule) =>
    weights.some((t) => new RegExp(rule.pattern).test(t.name)),
  );
  const rules = [...request.rules, ...presetRules];
  const outputType = request.outputType ?? preset?.outputType;
  const embeddingType = request.embeddingType;

  const compiled = rules.map((rule) => ({ pattern: new RegExp(rule.pattern), type: rule.type }));
  const matches = rules.map(() => 0);
  const typeOf = (tensor: TensorDescription): GgmlTypeName => {
    if (tensor.name === "output.weight" && outputType) return outputType;
    if (tensor.name === "token_embd.weight" && embeddingType) return embeddingType;
    const rule = compiled.findIndex((r) => r.pattern.test(tensor.name));
    if (rule < 0) return MAIN_TYPE[request.type];
    matches[rule] = (matches[rule] ?? 0) + 1;
    return compiled[rule]?.type ?? MAIN_TYPE[request.type];
  };
  let estimatedBytes = 0;
  for (const tensor of source.tensors) {
    const shape = tensor.shape.map(Number);
    if (!quantizable(tensor)) {
      estimatedBytes += tensorBytes(tensor.dtype, shape, tensor.name);
      continue;
    }
    estimatedBytes += tensorByteSize(fallbackType(typeOf(tensor), shape[0] ?? 0), shape);
  }

  // llama-quantize refuses any quantized input without the flag: Q8_0 is a fine source.
  const requantizes = request.allowRequantize || source.dominantType === "Q8_0";
  const options = [
    ...(requantizes ? ["--allow-requantize"] : []),
    ...(outputType ? ["--output-tensor-type", outputType.toLowerCase()] : []),
    ...(embeddingType ? ["--token-embedding-type", embeddingType.toLowerCase()] : []),
    ...rules.flatMap((rule) => ["--tensor-type", `${rule.pattern}=${rule.type.toLowerCase()}`]),
  ];
  return { rules, matches, outputType, embeddingType, estimatedBytes, options };
}

/**
 * The type a tensor really gets when its rows do not fit the type's blocks, as
 * llama-quantize's tensor_type_fallback chooses it (src/llama-quant.cpp).
 */
function fallbackType(type: GgmlTypeName, columns: number): GgmlTypeName {
  if (fitsBlocks(type, columns)) return type;
  const fallback: GgmlTypeName =
    (
      {
        IQ1_S: "IQ4_NL",
        IQ1_M: "IQ4_NL",
        IQ2_XXS: "IQ4_NL",
        IQ2_XS: "IQ4_NL",
        IQ2_S: "IQ4_NL",
        IQ3_XXS: "IQ4_NL",
        IQ3_S: "IQ4_NL",
        IQ4_XS: "IQ4_NL",
        Q2_K: "Q4_0",
        Q3_K: "Q4_0",
        Q4_K: "Q5_0",
        Q5_K: "Q5_1",
        Q6_K: "Q8_0",
      } as Partial<Record<GgmlTypeName, GgmlTypeName>>
    )[type] ?? type;
  return fitsBlocks(fallback, columns) ? fallback : "F16";
}
