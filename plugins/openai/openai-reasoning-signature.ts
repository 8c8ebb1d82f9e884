// see https://platform.openai.com/docs/guides/reasoning#encrypted-reasoning-items
// A stateless Responses call gets its reasoning back only when the next request replays the reasoning
// item whole: its `id` and its `encrypted_content`. The hub keeps both in one opaque signature,
// `<id>:<encrypted_content>` (item ids and the URL-safe base64 content never hold a colon).

/** The hub signature of an OpenAI reasoning item. */
export function openAIReasoningSignature(id: string, encryptedContent: string): string {
  return `${id}:${encryptedContent}`
}

/** The reasoning item's id and encrypted content from a hub signature, or undefined when it is not one of ours. */
export function parseOpenAIReasoningSignature(signature: string): { id: string; encryptedContent: string } | undefined {
  const colon = signature.indexOf(':')
  if (colon <= 0 || colon === signature.length - 1) return undefined
  return { id: signature.slice(0, colon), encryptedContent: signature.slice(colon + 1) }
}
