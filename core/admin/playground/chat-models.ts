import type { ModelSpec } from '@hanggent/plugin-sdk'

// Which models the playground offers: it speaks OpenAI Chat, so embedding, rerank, speech and image
// models would only fail there.

/** Names that say a model is not for chat, for models no plugin describes (custom, mapped, new). */
const NOT_CHAT = /(^|[-_./])(text-)?embed|rerank|whisper|(^|[-_./])tts|dall-e|moderation/i

/** True when a model can answer a chat: its plugin says so, or (unknown to every plugin) its name does not say otherwise. */
export function offersChat(model: string, spec: ModelSpec | undefined): boolean {
  if (spec) return spec.capabilities.includes('chat')
  return !NOT_CHAT.test(model)
}
