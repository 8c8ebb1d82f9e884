// Parrot's wire format (an invented vendor, kept small so the example reads in one sitting):
//   POST {baseUrl}/v1/generate   header `x-parrot-key: <key>`
//   request  {model, turns: [{speaker: 'system' | 'user' | 'bird', text}], max_words?, stream?}
//   answer   {id, model?, reply: {text}, stop: 'done' | 'word_limit', meter: {heard, said}}
//   stream   SSE `event: chunk` {"text"} …, then `event: end` {"stop", "meter": {heard, said}}
//   error    {"problem": "<message>"} with an HTTP error status

/** One turn of a Parrot conversation. */
export interface ParrotTurn {
  /** Who spoke: Parrot calls the model `bird`. */
  speaker: 'system' | 'user' | 'bird'
  /** What was said. */
  text: string
}

/** Parrot's request body. */
export interface ParrotRequest {
  /** Model id. */
  model: string
  /** The conversation so far. */
  turns: ParrotTurn[]
  /** Output ceiling, in words. */
  max_words?: number
  /** Answer as SSE. */
  stream?: boolean
}

/** Parrot's usage meter: words heard (input) and said (output); the example bills them as tokens. */
export interface ParrotMeter {
  heard: number
  said: number
}

/** Parrot's complete answer. */
export interface ParrotAnswer {
  id?: string
  model?: string
  reply?: { text?: string }
  stop?: string
  meter?: ParrotMeter
}
