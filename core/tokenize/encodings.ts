/** The BPE encodings the gateway counts with. */
export type EncodingName = 'o200k_base' | 'cl100k_base'

// The GPT-4 / GPT-3.5 generation (Azure spells it `gpt-35`), its embeddings and the davinci/babbage
// completions models. `gpt-4` followed by `o` or `.` (gpt-4o, gpt-4.1, gpt-4.5) is the newer o200k family.
const CL100K_MODEL = /^(?:gpt-4(?![o.])|gpt-3\.5|gpt-35|text-embedding-|(?:text-)?(?:davinci|babbage))/

/**
 * The encoding to count a model's text with: cl100k for the GPT-4/3.5 generation, o200k for
 * everything newer (gpt-4o, gpt-4.1, gpt-5, o-series, gpt-oss…) and as the estimate for non-OpenAI
 * models (Claude, Gemini, DeepSeek, Llama…), whose tokenizers we do not ship. A routing prefix
 * (`openai/gpt-4`) and a fine-tune prefix (`ft:gpt-3.5-turbo:…`) are looked through.
 */
export function encodingForModel(model: string): EncodingName {
  const lowered = model.trim().toLowerCase()
  const bare = lowered.slice(lowered.lastIndexOf('/') + 1)
  const base = bare.startsWith('ft:') ? bare.slice(3) : bare
  return CL100K_MODEL.test(base) ? 'cl100k_base' : 'o200k_base'
}
