import { computed, reactive, ref, shallowRef } from 'vue'
import { api } from '../../api/client.ts'
import { ApiFailure, toApiFailure } from '../../api/errors.ts'
import type { RequestOf } from '../../api/types.ts'
import { readChunk, sseData, type ChatUsage } from './chat-stream.ts'

// The playground's conversation: turns, one streamed answer at a time through
// POST /api/playground/chat/completions (billed to the signed-in user), and Stop. The conversation
// and settings live for the whole visit, so opening the logs and coming back keeps them.

/** One question or answer. */
export interface ChatTurn {
  id: number
  role: 'user' | 'assistant'
  content: string
  reasoning: string
  /** `failed` answers are shown but never sent back as history. */
  status: 'done' | 'streaming' | 'stopped' | 'failed'
  error?: unknown
  model?: string
}

/** The settings of the next call. */
export interface ChatSettings {
  model: string | null
  systemPrompt: string
  temperature: number | null
  maxTokens: number | null
}

type ChatRequest = RequestOf<'playgroundChatCompletion'>
type ChatMessage = ChatRequest['messages'][number]

/** The last answer's usage and where to find it in the logs. */
export interface LastCall {
  usage?: ChatUsage
  requestId?: string
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException ? error.name === 'AbortError' : error instanceof Error && error.name === 'AbortError'
}

const settings = reactive<ChatSettings>({ model: null, systemPrompt: '', temperature: null, maxTokens: null })
const turns = ref<ChatTurn[]>([])
const streaming = ref(false)
const last = shallowRef<LastCall | undefined>()
let nextId = 1
let controller: AbortController | undefined
/** Whose conversation this is: another account signing in on this tab must not see it. */
let owner: number | undefined

/** Forgets the conversation and settings. */
function resetChat(): void {
  controller?.abort()
  turns.value = []
  last.value = undefined
  Object.assign(settings, { model: null, systemPrompt: '', temperature: null, maxTokens: null })
}

/** The visit's conversation with streamed answers and the settings of the next call, for this account. */
export function useChat(accountId: number | undefined) {
  if (accountId !== owner) {
    resetChat()
    owner = accountId
  }
  /** The history the model sees: the system prompt, then every turn that completed or was stopped. */
  function history(): ChatMessage[] {
    const messages: ChatMessage[] = []
    if (settings.systemPrompt.trim() !== '') messages.push({ role: 'system', content: settings.systemPrompt })
    for (const turn of turns.value) {
      if (turn.status === 'failed' || turn.content === '') continue
      messages.push({ role: turn.role, content: turn.content })
    }
    return messages
  }

  async function stream(answer: ChatTurn, body: ChatRequest, signal: AbortSignal): Promise<void> {
    const result = await api.POST('/api/playground/chat/completions', { body, parseAs: 'stream', signal }).catch((error: unknown) => {
      throw isAbort(error) ? error : toApiFailure(error)
    })
    const requestId = result.response.headers.get('x-request-id') ?? undefined
    last.value = requestId ? { requestId } : {}
    if (result.error !== undefined || !result.response.ok) throw toApiFailure(result.error, result.response.status)
    const events = result.data
    if (!events) throw new ApiFailure(result.response.status, 'unknown', 'The answer had no body')
    for await (const data of sseData(events)) {
      const delta = readChunk(data)
      if (delta.content) answer.content += delta.content
      if (delta.reasoning) answer.reasoning += delta.reasoning
      if (delta.usage) last.value = { ...last.value, usage: delta.usage }
      if (delta.error) throw new ApiFailure(502, delta.error.code, delta.error.message)
      if (delta.done) break
    }
  }

  /** Sends a question with the conversation so far and streams the answer into a new turn. */
  async function send(text: string): Promise<void> {
    const question = text.trim()
    if (question === '' || streaming.value || !settings.model) return
    const messages = [...history(), { role: 'user' as const, content: question }]
    turns.value.push({ id: nextId++, role: 'user', content: question, reasoning: '', status: 'done' })
    turns.value.push({ id: nextId++, role: 'assistant', content: '', reasoning: '', status: 'streaming', model: settings.model })
    // The array's reactive proxy of the new turn, so each delta repaints it.
    const answer = turns.value[turns.value.length - 1]!
    const body: ChatRequest = {
      model: settings.model,
      messages,
      stream: true,
      stream_options: { include_usage: true },
      ...(settings.temperature !== null ? { temperature: settings.temperature } : {}),
      ...(settings.maxTokens !== null ? { max_tokens: settings.maxTokens } : {}),
    }
    controller = new AbortController()
    streaming.value = true
    last.value = undefined
    try {
      await stream(answer, body, controller.signal)
      answer.status = 'done'
    } catch (error) {
      if (isAbort(error) || controller.signal.aborted) {
        answer.status = 'stopped'
      } else {
        answer.status = answer.content === '' ? 'failed' : 'stopped'
        answer.error = error
      }
    } finally {
      streaming.value = false
      controller = undefined
    }
  }

  /** Stops the answer being streamed; what arrived so far stays. */
  function stop(): void {
    controller?.abort()
  }

  /** Forgets the conversation (stopping any answer first). */
  function clear(): void {
    stop()
    turns.value = []
    last.value = undefined
  }

  const empty = computed(() => turns.value.length === 0)
  return { settings, turns, streaming, last, empty, send, stop, clear }
}
