import { GatewayError, isRecord, type Converted, type HubChatRequest, type HubMessage, type HubPart } from '@hanggent/plugin-sdk'
import type { DifyChatRequest, DifyInputFile } from './dify-api.ts'

// A hub request as Dify's `POST /v1/chat-messages` body. Dify keeps the conversation itself, so it
// takes one user query per call, not a message list. The rules (docs/dify.md says the same):
// - `query` is the text of the last user message.
// - Without a conversation id, the turns before it (system prompt included) are folded into the query
//   as a transcript, `SYSTEM:`/`USER:`/`ASSISTANT:`/`TOOL:` blocks then `USER:` and the last message, so a
//   client that resends its history (as every OpenAI client does) is understood; with one alone and no
//   system prompt the query is that message's text as it is.
// - With a conversation id (a `conversation_id` member of the request body or of its `metadata`, as
//   returned in the answer's id), Dify already holds the history: only the last user message is sent.
// - Images in that message go as `files`: an http(s) URL as `remote_url`; inline data (a data URL or
//   base64) is refused with a 400, since uploading it to `/v1/files/upload` would need a second call.
// - `user` is the request's user, else `gateway` (the channel's user prefix is put before it when the
//   transport sends the call), so a conversation id keeps working for the same user.
// see https://docs.dify.ai/en/api-reference/guides/chatflow (Send Chat Message)

/** The Dify user of a request that names none. */
export const DEFAULT_DIFY_USER = 'gateway'

/** The prefix OpenAI answers' ids carry; an id handed back with it is stripped to Dify's own. */
const OPENAI_ID_PREFIX = 'chatcmpl-'

/** The hub's roles as transcript labels. */
const ROLE_LABELS: Record<HubMessage['role'], string> = { system: 'SYSTEM', user: 'USER', assistant: 'ASSISTANT', tool: 'TOOL' }

/** A `conversation_id` string of a record or of its `metadata` object. */
function conversationIdIn(fields: Record<string, unknown>): string | undefined {
  const direct = fields.conversation_id
  if (typeof direct === 'string' && direct !== '') return direct
  const metadata = fields.metadata
  const nested = isRecord(metadata) ? metadata.conversation_id : undefined
  return typeof nested === 'string' && nested !== '' ? nested : undefined
}

/** The conversation the client continues, from whichever dialect's leftover fields carry it; the `chatcmpl-` prefix of an answer id is removed. */
export function readConversationId(request: HubChatRequest): string | undefined {
  for (const fields of Object.values(request.extra ?? {})) {
    if (!isRecord(fields)) continue
    const id = conversationIdIn(fields)
    if (id) return id.startsWith(OPENAI_ID_PREFIX) ? id.slice(OPENAI_ID_PREFIX.length) : id
  }
  return undefined
}

/** The text of a message's parts; parts with no text form are named in the warnings. */
function textOf(message: HubMessage, warnings: string[]): string {
  const texts: string[] = []
  for (const part of message.content) {
    if (part.type === 'text') texts.push(part.text)
    else if (part.type === 'tool-result') texts.push(typeof part.content === 'string' ? part.content : textOfParts(part.content))
    else if (part.type === 'tool-call') texts.push(`[called ${part.name}(${part.arguments})]`)
    else if (part.type !== 'reasoning' && part.type !== 'image') warnings.push(`${part.type} content is not sent to Dify`)
  }
  return texts.join('\n')
}

/** The text parts of tool-result content. */
function textOfParts(parts: HubPart[]): string {
  return parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n')
}

/** An image part as a Dify file; inline bytes are refused (see the rules above). */
function imageFile(part: Extract<HubPart, { type: 'image' }>): DifyInputFile {
  if (part.url && /^https?:\/\//i.test(part.url)) return { type: 'image', transfer_method: 'remote_url', url: part.url }
  throw new GatewayError(
    400,
    'invalid_request',
    'Dify channels take images by http(s) URL only: an inline (data URL or base64) image cannot be sent. Host the image and send its URL.',
    { param: 'messages' },
  )
}

/** The query: the last user message alone, or the earlier turns as a transcript before it. */
function queryOf(messages: HubMessage[], last: number, continuing: boolean, warnings: string[]): string {
  const lastText = textOf(messages[last]!, warnings)
  const earlier = messages.slice(0, last)
  if (continuing) {
    if (earlier.length > 0) warnings.push('Dify holds the conversation: earlier messages were not sent with a conversation id')
    return lastText
  }
  if (earlier.length === 0) return lastText
  const blocks = earlier.map((message) => `${ROLE_LABELS[message.role]}:\n${textOf(message, warnings)}`)
  return [...blocks, `USER:\n${lastText}`].join('\n\n')
}

/** What Dify has no field for, named in the warnings. */
function unsupportedWarnings(request: HubChatRequest): string[] {
  const warnings: string[] = []
  if (request.tools && request.tools.length > 0) warnings.push('Dify apps call their own tools: the request tools were not sent')
  if (request.responseFormat && request.responseFormat.type !== 'text') warnings.push('response_format is not sent to Dify')
  if (request.candidateCount !== undefined && request.candidateCount > 1) warnings.push('Dify answers with one choice; n was ignored')
  const sampling = [request.maxOutputTokens, request.temperature, request.topP, request.topK, request.stop, request.seed]
  if (sampling.some((value) => value !== undefined)) warnings.push('sampling parameters are set in the Dify app, not per call: they were not sent')
  return warnings
}

/** A hub chat request as a Dify chat-messages body; the channel's user prefix and default inputs are added by the transport. */
export function convertToDifyRequest(request: HubChatRequest): Converted<Record<string, unknown>> {
  const warnings = unsupportedWarnings(request)
  const last = request.messages.findLastIndex((message) => message.role === 'user')
  if (last < 0) throw new GatewayError(400, 'invalid_request', 'A Dify app needs a user message to answer', { param: 'messages' })
  if (last < request.messages.length - 1) warnings.push('messages after the last user message were not sent to Dify')
  const conversationId = readConversationId(request)
  const files = request.messages[last]!.content.flatMap((part) => (part.type === 'image' ? [imageFile(part)] : []))
  const body: DifyChatRequest = {
    inputs: {},
    query: queryOf(request.messages, last, conversationId !== undefined, warnings),
    response_mode: request.stream ? 'streaming' : 'blocking',
    user: request.user ?? DEFAULT_DIFY_USER,
    auto_generate_name: false,
    ...(conversationId ? { conversation_id: conversationId } : {}),
    ...(files.length > 0 ? { files } : {}),
  }
  return { value: { ...body }, warnings }
}
