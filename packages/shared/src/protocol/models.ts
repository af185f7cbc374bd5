import { z } from "zod";
import { modelSummarySchema } from "./status";

export const localModelsResponseSchema = z.object({ models: z.array(modelSummarySchema) });
