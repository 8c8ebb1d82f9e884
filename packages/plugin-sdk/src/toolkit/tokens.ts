import type { PromptEstimateInput, TokenizerSpec } from '../contract.ts'

// Token counts as vendors report them, and the pieces of a prompt estimate. Upstream usage is
// authoritative; estimates only size the reservation made before a call (the gateway's tokenizer pool
// counts the texts an estimate collects).

/** A vendor's token counter as a whole, non-negative number; anything else (missing, negative, NaN) counts as zero. */
export function tokenCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0
}

/** An empty prompt estimate, starting from `fixedTokens` (e.g. the tokens that prime a reply). */
export function newPromptEstimate(fixedTokens = 0): PromptEstimateInput {
  return { texts: [], fixedTokens }
}

/**
 * Adds message content that is either a plain string or a list of parts, the two forms every chat API
 * accepts: a string is counted as text, each part of a list goes to `addPart` (text, media at a fixed cost…).
 */
export function addStringOrParts<Part>(estimate: PromptEstimateInput, content: unknown, addPart: (part: Part, estimate: PromptEstimateInput) => void): void {
  if (typeof content === 'string') {
    estimate.texts.push(content)
    return
  }
  if (!Array.isArray(content)) return
  for (const part of content as Part[]) addPart(part, estimate)
}

/**
 * A tokenizer for models whose vendor ships none with the gateway: one token per `charactersPerToken`
 * characters, rounded up. Cheap and pure, as `PluginDefinition.tokenizers` requires.
 */
export function tokensByCharacters(charactersPerToken: number): TokenizerSpec {
  if (!(charactersPerToken > 0)) throw new RangeError(`charactersPerToken must be positive, got ${charactersPerToken}`)
  return { count: (text) => Math.ceil(text.length / charactersPerToken) }
}
