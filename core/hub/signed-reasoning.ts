import type { HubMessage } from './types.ts'

// A reasoning signature (Anthropic's `signature` and `redacted_thinking` data, Gemini's `thoughtSignature`,
// OpenAI's `encrypted_content`) is checked by the provider that made it, and means nothing to another
// one: Gemini validates thought signatures and Anthropic refuses thinking it did not sign. The one rule:
// signed reasoning goes back only to the provider that signed it; for any other provider it is dropped,
// text and signature together (its text is another model's hidden thought, not something to replay as
// the target's own thought or as visible text), and a conversion warning says so. Unsigned reasoning is
// left to each encoder's own rule.

/** Providers that sign reasoning, as the `signatureOrigin` of hub reasoning. */
export type SignatureOrigin = 'anthropic' | 'google' | 'openai'

/**
 * The messages with every signed reasoning part another provider made removed, plus a warning per turn
 * that lost some. Signed reasoning of unknown origin counts as foreign: nothing shows the target made it.
 */
export function withoutForeignSignedReasoning(messages: HubMessage[], target: SignatureOrigin): { messages: HubMessage[]; warnings: string[] } {
  const warnings: string[] = []
  let changed = false
  const kept = messages.map((message, position) => {
    const foreign = message.content.filter((part) => part.type === 'reasoning' && part.signature !== undefined && part.signatureOrigin !== target)
    if (foreign.length === 0) return message
    changed = true
    const origins = [...new Set(foreign.map((part) => (part.type === 'reasoning' && part.signatureOrigin) || 'an unknown provider'))].join(', ')
    warnings.push(`messages[${position}]: reasoning signed by ${origins} cannot be verified by ${target} and was dropped (text and signature)`)
    return { ...message, content: message.content.filter((part) => !foreign.includes(part)) }
  })
  return { messages: changed ? kept : messages, warnings }
}
