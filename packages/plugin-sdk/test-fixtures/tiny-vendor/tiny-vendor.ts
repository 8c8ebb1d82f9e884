import { Type, type TObject } from '@sinclair/typebox'
import type { ConversionEnv, HubChatRequest, HubEvent, HubPart, HubResult, HubStreamDecoder, PluginDefinition, SseEvent, Usage } from '@hanggent/plugin-sdk'

// Tiny Vendor: a made-up provider for the conformance kit's own tests. Its wire format is its own
// (no client speaks it): a request `{ model, prompt: [{ role, text }], tools, stream }`, an answer
// `{ id, model, output: [{ type: 'text', text } | { type: 'call', id, name, args }], stop, meter: { in, out } }`,
// and a stream of newline-delimited JSON (not SSE), so the plugin frames its stream itself
// (`frameStream`, contract 1.1). `tinyVendorPlugin(defects)` builds it correct, or with one of the
// defects the kit must catch (each broken fixture plugin next to this folder picks one).

/** One deliberate defect, for the kit's failure cases. */
export interface TinyVendorDefects {
  /** The decoders skip `call` items: tool calls vanish. */
  dropToolCalls?: boolean
  /** The stream framer decodes each chunk on its own: a UTF-8 character split across chunks breaks. */
  decodeChunksAlone?: boolean
  /** A model without a price. */
  unpricedModel?: boolean
  /** A settings schema the dashboard cannot render. */
  settings?: TObject
  /** The contract version declared. */
  specVersion?: PluginDefinition['specVersion']
  /**
   * Brings a push decoder (contract 1.3): `correct`, or `defers-usage`, whose `canDefer` says yes to every
   * line, the `end` line with the usage included.
   */
  pushDecoder?: 'correct' | 'defers-usage'
}

type OutputItem = { type: 'text'; text: string } | { type: 'call'; id: string; name: string; args: unknown }
interface Meter {
  in: number
  out: number
}

/** A hub request in Tiny Vendor's form. */
function encodeRequest(request: HubChatRequest) {
  const prompt = request.messages.map((message) => ({
    role: message.role,
    text: message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n'),
  }))
  const tools = request.tools?.map((tool) => ({ name: tool.name, schema: tool.parameters }))
  return { value: { model: request.model, prompt, ...(tools ? { tools } : {}), ...(request.stream ? { stream: true } : {}) }, warnings: [] }
}

function usageOf(meter: Meter | undefined): Usage | undefined {
  return meter ? { inputTokens: meter.in, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: meter.out, reasoningTokens: 0 } : undefined
}

/** Newline-delimited JSON split into messages; `alone` decodes each chunk without carrying split characters over. */
async function* frameLines(body: AsyncIterable<Uint8Array>, alone: boolean): AsyncIterable<SseEvent> {
  const decoder = new TextDecoder()
  let pending = ''
  for await (const chunk of body) {
    pending += alone ? new TextDecoder().decode(chunk) : decoder.decode(chunk, { stream: true })
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) if (line.trim() !== '') yield { data: line }
  }
  pending += alone ? '' : decoder.decode()
  if (pending.trim() !== '') yield { data: pending }
}

/** Builds the plugin, correct unless a defect is asked for. */
export function tinyVendorPlugin(id: string, defects: TinyVendorDefects = {}): PluginDefinition {
  const keep = (item: OutputItem) => item.type !== 'call' || !defects.dropToolCalls
  const decodeResult = (body: unknown, env: ConversionEnv): HubResult => {
    const answer = body as { id?: string; model?: string; output?: OutputItem[]; stop?: string; meter?: Meter }
    const content: HubPart[] = (answer.output ?? [])
      .filter(keep)
      .map((item) =>
        item.type === 'text' ? { type: 'text', text: item.text } : { type: 'tool-call', id: item.id, name: item.name, arguments: JSON.stringify(item.args) },
      )
    return {
      id: answer.id ?? env.newId('tiny-'),
      model: answer.model ?? env.model ?? '',
      created: Math.floor(env.now() / 1000),
      choices: [{ index: 0, content, finishReason: answer.stop === 'call' ? 'tool-calls' : 'stop' }],
      usage: usageOf(answer.meter),
    }
  }
  async function* decodeStream(events: AsyncIterable<SseEvent>, env: ConversionEnv): AsyncIterable<HubEvent> {
    yield { type: 'message-start', id: env.newId('tiny-'), model: env.model ?? '', created: Math.floor(env.now() / 1000) }
    let toolIndex = 0
    for await (const event of events) {
      let item: OutputItem | { type: 'end'; stop?: string; meter?: Meter }
      try {
        item = JSON.parse(event.data) as typeof item
      } catch {
        yield { type: 'error', status: 502, code: 'bad_upstream_response', message: 'Tiny Vendor sent a line that is not JSON' }
        return
      }
      if (item.type === 'text') yield { type: 'text-delta', index: 0, text: item.text }
      else if (item.type === 'call' && keep(item)) {
        yield { type: 'tool-call-start', index: 0, toolIndex, id: item.id, name: item.name }
        yield { type: 'tool-call-delta', index: 0, toolIndex: toolIndex++, argumentsDelta: JSON.stringify(item.args) }
      } else if (item.type === 'end') {
        const usage = usageOf(item.meter)
        if (usage) yield { type: 'usage', usage }
        yield { type: 'finish', index: 0, reason: item.stop === 'call' ? 'tool-calls' : 'stop' }
      }
    }
  }
  /** The same decoding pushed one line at a time (contract 1.3). */
  function createStreamDecoder(env: ConversionEnv): HubStreamDecoder {
    let started = false
    let toolIndex = 0
    let done = false
    const start = (): HubEvent[] => {
      if (started) return []
      started = true
      return [{ type: 'message-start', id: env.newId('tiny-'), model: env.model ?? '', created: Math.floor(env.now() / 1000) }]
    }
    return {
      get done() {
        return done
      },
      push(event) {
        if (done) return []
        const events = start()
        let item: OutputItem | { type: 'end'; stop?: string; meter?: Meter }
        try {
          item = JSON.parse(event.data) as typeof item
        } catch {
          done = true
          return [...events, { type: 'error', status: 502, code: 'bad_upstream_response', message: 'Tiny Vendor sent a line that is not JSON' }]
        }
        if (item.type === 'text') events.push({ type: 'text-delta', index: 0, text: item.text })
        else if (item.type === 'call' && keep(item)) {
          events.push({ type: 'tool-call-start', index: 0, toolIndex, id: item.id, name: item.name })
          events.push({ type: 'tool-call-delta', index: 0, toolIndex: toolIndex++, argumentsDelta: JSON.stringify(item.args) })
        } else if (item.type === 'end') {
          const usage = usageOf(item.meter)
          if (usage) events.push({ type: 'usage', usage })
          events.push({ type: 'finish', index: 0, reason: item.stop === 'call' ? 'tool-calls' : 'stop' })
        }
        return events
      },
      end: () => (done ? [] : start()),
      canDefer: (event) => defects.pushDecoder === 'defers-usage' || !event.data.includes('"end"'),
    }
  }
  const pushDecoder = defects.pushDecoder ? { createStreamDecoder } : {}
  return {
    id,
    specVersion: defects.specVersion ?? (defects.pushDecoder ? '1.3' : '1.1'),
    hubVersion: 1,
    name: `Tiny Vendor (${id})`,
    channelTypes: [
      {
        id,
        label: 'Tiny Vendor',
        defaultBaseUrl: 'https://api.tiny-vendor.example',
        settings: defects.settings ?? Type.Object({ region: Type.Optional(Type.String({ title: 'Region' })) }),
        transport: {
          nativeDialects: [`${id}.chat`],
          buildRequest: (call) => ({
            url: `${call.channel.baseUrl}/v1/chat`,
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-tiny-key': call.channel.key },
            body: JSON.stringify(call.body),
          }),
        },
      },
    ],
    models: [{ id: `${id}-1`, capabilities: ['chat', 'tools'] }, ...(defects.unpricedModel ? [{ id: `${id}-2`, capabilities: ['chat' as const] }] : [])],
    pricing: { [`${id}-1`]: { inputPerMTok: 1, outputPerMTok: 2 } },
    dialects: [
      {
        dialect: `${id}.chat`,
        endpoint: 'chat',
        readUpstreamError: (status, bodyText) => {
          try {
            const body = JSON.parse(bodyText) as { fault?: { text?: string; kind?: string } }
            if (body.fault?.text) return { message: body.fault.text, ...(body.fault.kind ? { code: body.fault.kind } : {}) }
          } catch {
            // not JSON: the text itself
          }
          return { message: bodyText.slice(0, 200) || `Tiny Vendor answered HTTP ${status}` }
        },
        hub: { encodeRequest, decodeResult, decodeStream, frameStream: (body) => frameLines(body, defects.decodeChunksAlone === true), ...pushDecoder },
      },
    ],
  }
}
