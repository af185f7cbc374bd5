export * from "./architectures/shapes.js";
export type { TensorTypeChooser } from "./architectures/tensorFactory.js";
export { DEEPSEEK_V3_CHAT_TEMPLATE } from "./chatTemplate.js";
export {
  fitsBlocks,
  GgmlType,
  ggmlBlockLayout,
  tensorByteSize,
  type GgmlTypeName,
} from "./ggmlTypes.js";
export * from "./presets.js";
export {
  describeModel,
  synthesizeModel,
  shardPath,
  SYNTHETIC_MARKER_KEY,
  type SynthesizeOptions,
  type SynthesizedModel,
} from "./synthesizeModel.js";
export { DEEPSEEK_TOKENS } from "./tokenizer/buildVocab.js";
