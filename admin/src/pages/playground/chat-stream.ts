// Reading the playground's answer: server-sent events (`data: {chunk}` … `data: [DONE]`) exactly as
// POST /v1/chat/completions streams them, turned into text, reasoning, usage and errors.
// see https://platform.openai.com/docs/api-reference/chat-streaming (chunk shape, usage chunk with choices: [])
// see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation

/** Token usage as OpenAI reports it in the last chunk. */
export interface ChatUsage {
  promptTokens: number
  completionTokens: number
  totalTokens: number
  cachedTokens: number
  reasoningTokens: number
}

/** What one chunk adds to the answer. */
export interface ChatDelta {
  content?: string
  reasoning?: string
  usage?: ChatUsage
  finishReason?: string
  /** An error sent inside the stream (OpenAI's `{ error: { message, code } }`). */
  error?: { message: string; code: string }
  /** `[DONE]`: the answer is complete. */
  done?: boolean
}

/** The `data` of each event in a server-sent event stream, as the bytes arrive. */
export async function* sseData(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = stream.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  let data: string[] = []
  const takeLine = (line: string): string | undefined => {
    if (line === '') {
      const event = data.length > 0 ? data.join('\n') : undefined
      data = []
      return event
    }
    if (line.startsWith(':')) return undefined
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') data.push(value)
    return undefined
  }
  try {
    for (;;) {
      const { done, value } = await reader.read()
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true })
      let newline: number
      while ((newline = buffer.search(/\r\n|\r|\n/)) !== -1) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1))
        const event = takeLine(line)
        if (event !== undefined) yield event
      }
      if (done) break
    }
    if (buffer !== '') takeLine(buffer)
    const last = takeLine('')
    if (last !== undefined) yield last
  } finally {
    reader.releaseLock()
  }
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
}

/** Reads OpenAI's usage object. */
export function readUsage(value: unknown): ChatUsage | undefined {
  const usage = record(value)
  if (!usage) return undefined
  const prompt = count(usage.prompt_tokens)
  const completion = count(usage.completion_tokens)
  return {
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: count(usage.total_tokens) || prompt + completion,
    cachedTokens: count(record(usage.prompt_tokens_details)?.cached_tokens),
    reasoningTokens: count(record(usage.completion_tokens_details)?.reasoning_tokens),
  }
}

/** What one event's data adds: text and reasoning deltas of the first choice, usage, finish, errors. */
export function readChunk(data: string): ChatDelta {
  if (data.trim() === '[DONE]') return { done: true }
  let parsed: unknown
  try {
    parsed = JSON.parse(data)
  } catch {
    return { error: { message: data, code: 'bad_stream' } }
  }
  const chunk = record(parsed) ?? {}
  const error = record(chunk.error)
  if (error) {
    return {
      error: {
        message: typeof error.message === 'string' ? error.message : JSON.stringify(error),
        code: typeof error.code === 'string' ? error.code : typeof error.type === 'string' ? error.type : 'upstream_error',
      },
    }
  }
  const delta: ChatDelta = {}
  const choice = Array.isArray(chunk.choices) ? record(chunk.choices[0]) : undefined
  const part = record(choice?.delta)
  if (typeof part?.content === 'string' && part.content !== '') delta.content = part.content
  const reasoning = part?.reasoning_content ?? part?.reasoning
  if (typeof reasoning === 'string' && reasoning !== '') delta.reasoning = reasoning
  if (typeof choice?.finish_reason === 'string') delta.finishReason = choice.finish_reason
  const usage = readUsage(chunk.usage)
  if (usage) delta.usage = usage
  return delta
}
