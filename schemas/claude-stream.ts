import { type Static, type TProperties, Type } from '@sinclair/typebox'

// see https://docs.claude.com/en/docs/build-with-claude/streaming#event-types
// The events of a Messages stream as the decoder reads them, one schema per event type (and, for
// content_block_start / content_block_delta, per block or delta type) so a decoder checks each event
// against the one schema its `type` names and reads it narrowed. Only the members the decoder reads are
// typed; everything else Anthropic sends (or adds later) is allowed. Event, block and delta types without
// a schema here (ping, content_block_stop, server tool blocks, citations) carry nothing the decoder reads.

const open = { additionalProperties: true } as const
const nullable = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]))

/** Usage as message_start and message_delta carry it; counts may be null on some fields. */
export const ClaudeStreamUsage = Type.Object(
  {
    input_tokens: nullable(Type.Number()),
    output_tokens: nullable(Type.Number()),
    cache_creation_input_tokens: nullable(Type.Number()),
    cache_read_input_tokens: nullable(Type.Number()),
    cache_creation: nullable(
      Type.Object({ ephemeral_5m_input_tokens: Type.Optional(Type.Number()), ephemeral_1h_input_tokens: Type.Optional(Type.Number()) }, open),
    ),
    output_tokens_details: nullable(Type.Object({ thinking_tokens: nullable(Type.Number()) }, open)),
    service_tier: nullable(Type.String()),
  },
  open,
)

/** One event type's schema: its literal `type` and its members. */
const event = <Name extends string, Members extends TProperties>(name: Name, members: Members) => Type.Object({ type: Type.Literal(name), ...members }, open)

/** `message_start`: the message's identity and its input usage. */
export const ClaudeMessageStartEvent = event('message_start', {
  message: Type.Object({ id: Type.Optional(Type.String()), model: Type.Optional(Type.String()), usage: nullable(ClaudeStreamUsage) }, open),
})

/** A `content_block_start` of a block the decoder reads, by block type. */
const blockStart = <Block extends TProperties>(block: Block) => event('content_block_start', { index: Type.Integer(), content_block: Type.Object(block, open) })

/** `content_block_start` schemas by the block's type. */
export const ClaudeBlockStartEvents = {
  text: blockStart({ type: Type.Literal('text'), text: Type.String() }),
  thinking: blockStart({ type: Type.Literal('thinking'), thinking: Type.String() }),
  redacted_thinking: blockStart({ type: Type.Literal('redacted_thinking'), data: Type.String() }),
  tool_use: blockStart({ type: Type.Literal('tool_use'), id: Type.String(), name: Type.String(), input: Type.Optional(Type.Unknown()) }),
}

/** A `content_block_delta` of a delta the decoder reads, by delta type. */
const blockDelta = <Delta extends TProperties>(delta: Delta) => event('content_block_delta', { index: Type.Integer(), delta: Type.Object(delta, open) })

/** `content_block_delta` schemas by the delta's type. */
export const ClaudeBlockDeltaEvents = {
  text_delta: blockDelta({ type: Type.Literal('text_delta'), text: Type.String() }),
  thinking_delta: blockDelta({ type: Type.Literal('thinking_delta'), thinking: Type.String() }),
  signature_delta: blockDelta({ type: Type.Literal('signature_delta'), signature: Type.String() }),
  input_json_delta: blockDelta({ type: Type.Literal('input_json_delta'), partial_json: Type.String() }),
}

/** A content_block_start whose block type is not read (a server tool's, say): only its frame is checked. */
export const ClaudeBlockStartFrame = Type.Object({ index: Type.Integer(), content_block: Type.Object({ type: Type.String() }, open) }, open)

/** A content_block_delta whose delta type is not read (citations): only its frame is checked. */
export const ClaudeBlockDeltaFrame = Type.Object({ index: Type.Integer(), delta: Type.Object({ type: Type.String() }, open) }, open)

/** `message_delta`: the stop reason and the cumulative usage. */
export const ClaudeMessageDeltaEvent = event('message_delta', {
  delta: Type.Optional(Type.Object({ stop_reason: nullable(Type.String()) }, open)),
  usage: nullable(ClaudeStreamUsage),
})

/** An `error` event: the error is read leniently, as its body may be anything a proxy wrote. */
export const ClaudeErrorEvent = event('error', { error: Type.Optional(Type.Unknown()) })

/** A typed stream event the decoder reads (message_stop carries nothing more than its type). */
export type ClaudeStreamEvent =
  | Static<typeof ClaudeMessageStartEvent>
  | Static<(typeof ClaudeBlockStartEvents)[keyof typeof ClaudeBlockStartEvents]>
  | Static<(typeof ClaudeBlockDeltaEvents)[keyof typeof ClaudeBlockDeltaEvents]>
  | Static<typeof ClaudeMessageDeltaEvent>
  | Static<typeof ClaudeErrorEvent>
  | { type: 'message_stop' }
/** Typed stream usage. */
export type ClaudeStreamUsage = Static<typeof ClaudeStreamUsage>
