import type { ModelAnatomy } from "../catalog/modelAnatomy.js";
import { AgentError } from "../errors/AgentError.js";

/** A candidate of another architecture or vocabulary cannot be compared token by token. */
export function sameModel(refId: string, ref: ModelAnatomy, id: string, candidate: ModelAnatomy) {
  if (ref.architecture !== candidate.architecture)
    throw new AgentError({
      code: "modelsDiffer",
      title: `${id} is ${candidate.architecture}; the reference ${refId} is ${ref.architecture}`,
      hint: "Compare quants of the same model.",
    });
  if (ref.vocabSize !== candidate.vocabSize)
    throw new AgentError({
      code: "modelsDiffer",
      title: `${id} has a vocabulary of ${candidate.vocabSize} tokens; the reference ${refId} has ${ref.vocabSize}`,
      hint: "Compare quants of the same model: their vocabularies must be the same.",
    });
  if (ref.layerCount !== candidate.layerCount || ref.embeddingLength !== candidate.embeddingLength)
    throw new AgentError({
      code: "modelsDiffer",
      title: `${id} has ${candidate.layerCount} layers of ${candidate.embeddingLength}; the reference ${refId} has ${ref.layerCount} of ${ref.embeddingLength}`,
      hint: "Compare quants of the same model.",
    });
}
