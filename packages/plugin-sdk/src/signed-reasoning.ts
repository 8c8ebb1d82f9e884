import type { HubEvent, HubMessage, HubPart } from './hub.ts'

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
    const foreign = message.content.filter((part) => part.type === 'reasoning' && Boolean(part.signature) && part.signatureOrigin !== target)
    if (foreign.length === 0) return message
    changed = true
    const origins = [...new Set(foreign.map((part) => (part.type === 'reasoning' && part.signatureOrigin) || 'an unknown provider'))].join(', ')
    warnings.push(`messages[${position}]: reasoning signed by ${origins} cannot be verified by ${target} and was dropped (text and signature)`)
    return { ...message, content: message.content.filter((part) => !foreign.includes(part)) }
  })
  return { messages: changed ? kept : messages, warnings }
}

// A signature handed to a client of another provider's dialect (Gemini's thoughtSignature in a Claude
// `thinking` block, OpenAI's encrypted reasoning in either) is wrapped as `gw1~<origin>~<signature>`, so
// when the client sends the history back its origin is known again and the rule above applies: it goes
// back to its own provider, and never to the client's. `~` is outside the base64 alphabets providers use.
const ENVELOPE = /^gw1~(anthropic|google|openai)~/

/** The signature as a client speaking `clientOrigin`'s dialect receives it: as is when that provider made it, else wrapped with its origin. */
export function signatureForClient(signature: string, origin: string | undefined, clientOrigin: SignatureOrigin): string {
  return origin === undefined || origin === clientOrigin || ENVELOPE.test(signature) ? signature : `gw1~${origin}~${signature}`
}

/** A signature a client sent back: unwrapped with its origin when the gateway wrapped it, else taken to be made by the client's own provider. */
export function signatureFromClient(raw: string, clientOrigin: SignatureOrigin): { signature: string; signatureOrigin: SignatureOrigin } {
  const wrapped = ENVELOPE.exec(raw)
  return wrapped
    ? { signature: raw.slice(wrapped[0].length), signatureOrigin: wrapped[1] as SignatureOrigin }
    : { signature: raw, signatureOrigin: clientOrigin }
}

/** Answer parts for a client of `clientOrigin`'s dialect: signatures other providers made are wrapped with their origin. */
export function partsForClient(parts: HubPart[], clientOrigin: SignatureOrigin): HubPart[] {
  return parts.map((part) =>
    part.type === 'reasoning' && part.signature ? { ...part, signature: signatureForClient(part.signature, part.signatureOrigin, clientOrigin) } : part,
  )
}

/** A stream event for a client of `clientOrigin`'s dialect: a signature another provider made is wrapped with its origin. */
export function eventForClient<E extends HubEvent>(event: E, clientOrigin: SignatureOrigin): E {
  return event.type === 'reasoning-delta' && event.signature
    ? { ...event, signature: signatureForClient(event.signature, event.signatureOrigin, clientOrigin) }
    : event
}
