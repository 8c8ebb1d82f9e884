import { t } from 'elysia'
import type { ModelPrice, ModelSpec } from '@hanggent/plugin-sdk'

// Which models the playground's speech card offers. Model capabilities say only "audio", which speech and
// transcription models share, so a speech model is told by its price (per input character, as tts-1) or its
// name (`tts`, as gpt-4o-mini-tts, priced by tokens); an unknown model counts when its name says so.

/** Names of speech models, e.g. tts-1, tts-1-hd, gpt-4o-mini-tts. */
const SPEECH_NAME = /(^|[-_./])tts([-_./]|$)/i

/** True when a model can speak a text: known to the plugins as an audio model (or unknown) and priced per character or named for speech. */
export function offersSpeech(model: string, spec: ModelSpec | undefined, price: ModelPrice): boolean {
  if (spec && !spec.capabilities.includes('audio')) return false
  return price.perUnit?.characters !== undefined || SPEECH_NAME.test(model)
}

/** The speech answer: audio bytes in the format asked for (mp3 unless another was asked), streamed as they are made. */
export const PlaygroundSpeechAudio = t.String({ format: 'binary', description: 'The audio, with the upstream Content-Type (audio/mpeg for mp3)' })
