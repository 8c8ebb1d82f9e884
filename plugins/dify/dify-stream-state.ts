import { nowSeconds, type ConversionEnv, type FinishReason, type HubEvent } from '@hanggent/plugin-sdk'
import type { DifyStreamEvent } from './dify-api.ts'
import { convertDifyUsage } from './dify-usage.ts'
import { ThinkSplitter, type AnswerSegment } from './think-splitter.ts'

// What a Dify stream has said so far, and the hub events each new event adds:
// - `message` / `agent_message`: answer pieces (`<think>` text as reasoning). An agent app ends its
//   `agent_message` pieces with one `message` holding the whole answer again: it is not repeated.
// - `agent_thought`: a step of an agent. Its `thought` is the text the step's model call wrote, which
//   Dify already streamed as `agent_message`, so it is not repeated; the step's tool use (the tool, its
//   input and what it returned) is reasoning, once per step when the observation has arrived.
// - `message_file`: a file the app made, as a Markdown image link in the text.
// - `message_replace`: moderation replaced the answer; the replacement is sent and the finish is `content-filter`.
// - `message_end`: usage, then the finish; `error`: an error event. `ping`, `workflow_*`, `node_*`,
//   `tts_message*` and anything else are progress or audio that OpenAI-shaped answers have no place for.

/** The hub events of one Dify stream, fed one parsed event at a time. */
export class DifyStreamState {
  /** True once `message_end` or `error` closed the answer. */
  ended = false
  private opened = false
  private agentAnswer = false
  private textStarted = false
  private replaced = false
  private readonly splitter = new ThinkSplitter()
  private readonly toolSteps = new Set<string>()

  constructor(private readonly env: ConversionEnv) {}

  /** The hub events this event adds. */
  *read(event: DifyStreamEvent): Generator<HubEvent> {
    if (event.event === 'ping' || event.event === undefined) return
    if (!this.opened && event.event !== 'error') yield* this.open(event)
    switch (event.event) {
      case 'message':
        if (!this.agentAnswer) yield* this.answer(event.answer)
        return
      case 'agent_message':
        this.agentAnswer = true
        yield* this.answer(event.answer)
        return
      case 'agent_thought':
        yield* this.thought(event)
        return
      case 'message_file':
        if (typeof event.url === 'string' && event.url !== '') yield* this.segments([{ kind: 'text', text: `\n![${event.type ?? 'file'}](${event.url})\n` }])
        return
      case 'message_replace':
        this.replaced = true
        yield* this.answer(event.answer)
        return
      case 'message_end':
        yield* this.finish(event)
        return
      case 'error':
        this.ended = true
        yield { type: 'error', status: event.status ?? 502, code: event.code ?? 'upstream_error', message: event.message ?? 'Dify reported an error' }
        return
    }
  }

  /** The events of a stream that stopped before `message_end`: what was held back, then an error. */
  *endWithoutMessageEnd(): Generator<HubEvent> {
    if (this.ended) return
    yield* this.segments(this.splitter.flush())
    yield { type: 'error', status: 502, code: 'bad_upstream_response', message: 'Dify closed the stream before message_end' }
  }

  private *open(event: DifyStreamEvent): Generator<HubEvent> {
    this.opened = true
    const id = event.conversation_id ? `chatcmpl-${event.conversation_id}` : this.env.newId('chatcmpl-')
    yield { type: 'message-start', id, model: this.env.model ?? '', created: event.created_at ?? nowSeconds(this.env) }
  }

  private *answer(piece: string | undefined): Generator<HubEvent> {
    if (typeof piece === 'string' && piece !== '') yield* this.segments(this.splitter.push(piece))
  }

  private *thought(event: DifyStreamEvent): Generator<HubEvent> {
    const key = event.id ?? String(event.position ?? 0)
    if (!event.tool || !event.observation || this.toolSteps.has(key)) return
    this.toolSteps.add(key)
    yield { type: 'reasoning-delta', index: 0, text: `${event.tool}(${event.tool_input ?? ''}) → ${event.observation}\n` }
  }

  private *finish(event: DifyStreamEvent): Generator<HubEvent> {
    this.ended = true
    yield* this.segments(this.splitter.flush())
    const usage = convertDifyUsage(event.metadata?.usage)
    if (usage) yield { type: 'usage', usage }
    const reason: FinishReason = this.replaced ? 'content-filter' : 'stop'
    yield { type: 'finish', index: 0, reason, rawReason: this.replaced ? 'message_replace' : 'message_end' }
  }

  /** Segments as deltas; the blank lines a reply starts with (after `</think>`) are dropped. */
  private *segments(segments: AnswerSegment[]): Generator<HubEvent> {
    for (const segment of segments) {
      if (segment.kind === 'reasoning') {
        yield { type: 'reasoning-delta', index: 0, text: segment.text }
        continue
      }
      const text = this.textStarted ? segment.text : segment.text.replace(/^\s+/, '')
      if (text === '') continue
      this.textStarted = true
      yield { type: 'text-delta', index: 0, text }
    }
  }
}
