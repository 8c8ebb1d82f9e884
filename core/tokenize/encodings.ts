/** The BPE encodings the gateway counts with. */
export type EncodingName = 'o200k_base' | 'cl100k_base'

const CL100K_MODELS = /^(gpt-4(?!o|\.1|\.5)|gpt-3\.5|text-embedding-|davinci|babbage)/

/**
 * The encoding a model uses: cl100k for the GPT-4/3.5 generation and their embeddings, o200k for
 * everything newer — and as the estimate for non-OpenAI models, whose tokenizers we do not ship.
 */
export function encodingForModel(model: string): EncodingName {
  return CL100K_MODELS.test(model.toLowerCase()) ? 'cl100k_base' : 'o200k_base'
}
