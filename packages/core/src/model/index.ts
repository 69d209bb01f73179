// Public names of the model concept: config, safetensors, weights, tokenizer, retaining heads, RoPE tables.
export { loadModelConfig, parseModelConfig } from "./config.js";
export { bf16ToF32Into, f16BitsToF32, f16ToF32Into, f32ToBf16Bits, f32ToF16Bits } from "./half-float.js";
export {
  RETAINING_HEADS_FILE_NAME,
  randomCheckpointOptionsSchema,
  writeRandomCheckpoint,
} from "./random-checkpoint.js";
export type { RandomCheckpoint, RandomCheckpointOptions } from "./random-checkpoint.js";
export { randomModel } from "./random-model.js";
export type { RandomModel, RandomModelShape } from "./random-model.js";
export {
  DEFAULT_RETAINING_HEAD_HIDDEN,
  checkRetainingHeads,
  loadRetainingHeads,
  readRetainingHeads,
  retainingHeadInputWidth,
  retainingHeadKeys,
  retainingHeadParameterCount,
} from "./retaining-heads.js";
export { ropeInvFreq, ropeTables } from "./rope.js";
export { shareModelWeights, shareRetainingHeads } from "./shared-weights.js";
export { INDEX_FILE_NAME, SINGLE_FILE_NAME, SafetensorsCheckpoint } from "./safetensors-checkpoint.js";
export { writeSafetensors } from "./safetensors-writer.js";
export type { TensorToWrite, WritableDtype } from "./safetensors-writer.js";
export { MAX_HEADER_BYTES, SafetensorsFile, parseSafetensorsHeader } from "./safetensors.js";
export type { TensorInfo, TensorSource } from "./safetensors.js";
export { TINY_BOS_ID, TINY_CHAT_TEMPLATE, TINY_EOS_ID, TINY_MIN_VOCAB, TINY_SPECIAL_TOKENS, tinyTokenizerFiles, tinyVocabulary } from "./tiny-tokenizer.js";
export { ApbTokenizer, loadTokenizer } from "./tokenizer.js";
export type { ChatMessage } from "./tokenizer.js";
export type { LayerWeights, ModelConfig, ModelWeights, RetainingHeadLayer, RetainingHeadWeights, RopeScaling } from "./types.js";
export { checkModelWeights, expectedWeightShapes, loadModel, loadModelWeights } from "./weights.js";
export type { LoadedModel } from "./weights.js";
