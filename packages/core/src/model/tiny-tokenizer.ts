// A tiny word-level tokenizer for random checkpoints: HF tokenizer.json (WordPiece over whole words, plus digit
// pieces so numbers round-trip) and a tokenizer_config.json with a simple chat template. Ids 0..6 are special tokens.

import { ModelError } from "../errors/apb-error.js";

/** Special tokens, at ids 0..6 in this order. */
export const TINY_SPECIAL_TOKENS = ["<pad>", "<s>", "</s>", "<unk>", "<|system|>", "<|user|>", "<|assistant|>"] as const;
export const TINY_BOS_ID = 1;
export const TINY_EOS_ID = 2;
/** Smallest vocabulary the tiny tokenizer accepts: specials, digits, digit pieces, punctuation and a few words. */
export const TINY_MIN_VOCAB = 48;

const DIGITS = "0 1 2 3 4 5 6 7 8 9".split(" ");
const PUNCTUATION = ". , ? ! : ; ' - ( )".split(" ");
// Common English words in a fixed order; a vocabulary of size V keeps the first V - 37 of them.
const WORDS = (
  "the of and to a in is it you that secret key value question document answer he was for on are with as i his they be at one have this from or had by " +
  "word but what some we can out other were all there when up use your how said an each she which do their time if " +
  "will way about many then them write would like so these her long make thing see him two has look more day could go " +
  "come did number sound no most people my over know water than call first who may down side been now find any new work " +
  "part take get place made live where after back little only round man year came show every good me give our under name " +
  "very through just form sentence great think say help low line differ turn cause much mean before move right boy old too " +
  "same tell does set three want air well also play small end put home read hand port large spell add even land here must " +
  "big high such follow act why ask men change went light kind off need house picture try us again animal point mother " +
  "world near build self earth father head stand own page should country found school grow study still learn plant " +
  "cover food sun four between state keep eye never last let thought city tree cross farm hard start might story saw far " +
  "sea draw left late run while press close night real life few north book open"
).split(" ");

/** The vocabulary in id order for a given size (truncated word list). */
export function tinyVocabulary(vocabSize: number): string[] {
  if (!Number.isInteger(vocabSize) || vocabSize < TINY_MIN_VOCAB) {
    throw new ModelError("CONFIG_INVALID", `the tiny tokenizer needs vocabSize >= ${TINY_MIN_VOCAB}, got ${vocabSize}; raise vocabSize or set tokenizer: false`);
  }
  const all = [...TINY_SPECIAL_TOKENS, ...DIGITS, ...DIGITS.map((d) => `##${d}`), ...PUNCTUATION, ...WORDS];
  return all.slice(0, vocabSize);
}

/** The chat template: `<s><|role|> content </s> ...` then `<|assistant|>` when a generation prompt is asked for. */
export const TINY_CHAT_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}<|{{ message['role'] }}|> {{ message['content'] }} {{ eos_token }} {% endfor %}" +
  "{% if add_generation_prompt %}<|assistant|>{% endif %}";

/** tokenizer.json and tokenizer_config.json contents for a vocabulary of `vocabSize` ids (all ids used). */
export function tinyTokenizerFiles(vocabSize: number): { tokenizerJson: Record<string, unknown>; tokenizerConfig: Record<string, unknown> } {
  const vocab = tinyVocabulary(vocabSize);
  const addedTokens = TINY_SPECIAL_TOKENS.map((content, id) => ({
    id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  }));
  const tokenizerJson = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: { type: "Lowercase" },
    pre_tokenizer: { type: "Whitespace" },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
      pair: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { Sequence: { id: "B", type_id: 1 } }],
      special_tokens: { "<s>": { id: "<s>", ids: [TINY_BOS_ID], tokens: ["<s>"] } },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "<unk>",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((w, i) => [w, i])),
    },
  };
  const tokenizerConfig = {
    bos_token: "<s>",
    eos_token: "</s>",
    pad_token: "<pad>",
    unk_token: "<unk>",
    model_max_length: 1_000_000,
    chat_template: TINY_CHAT_TEMPLATE,
  };
  return { tokenizerJson, tokenizerConfig };
}
