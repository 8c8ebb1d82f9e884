// Dify's chat-app wire types (Service API, `POST /v1/chat-messages`), as far as the gateway reads or
// writes them. Response types accept missing members: Dify adds fields between releases.
// see https://docs.dify.ai/en/api-reference/guides/chatflow (Send Chat Message)

/** A file handed to a Dify app with the query; only images are sent by the gateway. */
export interface DifyInputFile {
  /** Dify's file kind (`image`, `document`, `audio`, `video`, `custom`). */
  type: 'image'
  /** How Dify gets the bytes: a public URL it downloads, or an id from `/v1/files/upload`. */
  transfer_method: 'remote_url' | 'local_file'
  /** The image's URL, for `remote_url`. */
  url?: string
  /** The uploaded file's id, for `local_file`. */
  upload_file_id?: string
}

/** The body of `POST /v1/chat-messages`. */
export interface DifyChatRequest {
  /** Values of the app's input variables. */
  inputs: Record<string, unknown>
  /** The user's message. */
  query: string
  /** `streaming` (SSE) or `blocking` (one JSON answer). */
  response_mode: 'streaming' | 'blocking'
  /** The end user the conversation belongs to. */
  user: string
  /** A conversation to continue; absent starts a new one. */
  conversation_id?: string
  /** Images for vision-capable apps. */
  files?: DifyInputFile[]
  /** Dify names new conversations with an extra LLM call unless told not to. */
  auto_generate_name?: boolean
}

/** Dify's token usage (`metadata.usage`), prices included (in Dify's currency, not read). */
export interface DifyUsage {
  prompt_tokens?: number
  completion_tokens?: number
  total_tokens?: number
  total_price?: string
  currency?: string
  latency?: number
}

/** The `metadata` of an answer. */
export interface DifyMetadata {
  usage?: DifyUsage
  retriever_resources?: unknown[]
}

/** A blocking answer: the whole reply at once. */
export interface DifyChatResponse {
  event?: string
  task_id?: string
  id?: string
  message_id?: string
  conversation_id?: string
  mode?: string
  answer?: string
  metadata?: DifyMetadata
  created_at?: number
}

/** One streamed event; which members are present depends on `event`. */
export interface DifyStreamEvent {
  /** `message`, `agent_message`, `agent_thought`, `message_file`, `message_end`, `message_replace`, `error`, `ping`, `workflow_*`, `node_*`, `tts_*`. */
  event?: string
  task_id?: string
  id?: string
  message_id?: string
  conversation_id?: string
  /** A piece of the reply (`message`, `agent_message`), or the whole replacement (`message_replace`). */
  answer?: string
  created_at?: number
  /** `agent_thought`: the step's reasoning so far (Dify resends the step with its thought growing). */
  thought?: string
  /** `agent_thought`: the tool the step called. */
  tool?: string
  /** `agent_thought`: the tool's input, as JSON text. */
  tool_input?: string
  /** `agent_thought`: the tool's result. */
  observation?: string
  /** `agent_thought`: the step's number within the answer. */
  position?: number
  /** `message_file`: what the file is (`image`). */
  type?: string
  /** `message_file`: where the file can be fetched. */
  url?: string
  /** `message_end`: usage and retrieval sources. */
  metadata?: DifyMetadata
  /** `error`: HTTP-like status. */
  status?: number
  /** `error`: Dify's error code. */
  code?: string
  /** `error`: the reason. */
  message?: string
}

/** Dify's error body on a non-2xx answer. */
export interface DifyErrorBody {
  code?: string
  message?: string
  status?: number
}
