/**
 * The hub: our provider-neutral model of a chat call. Every dialect decodes into it and encodes
 * out of it, so N dialects and M providers need N+M converters. Versioned: bump HUB_VERSION on any
 * breaking change so external plugins can refuse to load against a hub they do not understand.
 */
export const HUB_VERSION = 1

/** Who said a message. Tool results are their own role so every dialect can place them. */
export type HubRole = 'system' | 'user' | 'assistant' | 'tool'

/** A piece of message content. */
export type HubPart =
  | { type: 'text'; text: string }
  | { type: 'image'; url?: string; data?: string; mediaType?: string; detail?: 'auto' | 'low' | 'high' }
  | { type: 'audio'; data: string; format: string }
  | { type: 'file'; url?: string; data?: string; mediaType?: string; name?: string }
  | {
      type: 'reasoning'
      text: string
      signature?: string
      redacted?: boolean
      /** Who signed it (a SignatureOrigin such as `anthropic`, `google`, `openai`): the signature is sent back only there. */
      signatureOrigin?: string
    }
  | { type: 'tool-call'; id: string; name: string; arguments: string }
  | { type: 'tool-result'; callId: string; name?: string; content: string | HubPart[]; isError?: boolean }

/** One turn of the conversation. */
export interface HubMessage {
  role: HubRole
  content: HubPart[]
  /** Dialect-specific cache hints (Claude cache_control) carried through unchanged. */
  cacheControl?: Record<string, unknown>
}

/** A function the model may call; parameters is a JSON Schema object. */
export interface HubTool {
  name: string
  description?: string
  parameters: Record<string, unknown>
  strict?: boolean
}

/** How the model may use tools. */
export type HubToolChoice = 'auto' | 'none' | 'required' | { name: string }

/** Reasoning controls, from the request body or a model-name suffix such as `-high` or `-thinking`. */
export interface HubReasoning {
  effort?: 'minimal' | 'low' | 'medium' | 'high'
  budgetTokens?: number
  /** false turns thinking off (Gemini `-nothinking`). */
  enabled?: boolean
  /** Ask the provider to return its reasoning text when it can. */
  includeThoughts?: boolean
}

/** A chat request in hub form. */
export interface HubChatRequest {
  model: string
  messages: HubMessage[]
  stream: boolean
  maxOutputTokens?: number
  temperature?: number
  topP?: number
  topK?: number
  stop?: string[]
  seed?: number
  presencePenalty?: number
  frequencyPenalty?: number
  candidateCount?: number
  tools?: HubTool[]
  toolChoice?: HubToolChoice
  parallelToolCalls?: boolean
  responseFormat?: { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean }
  reasoning?: HubReasoning
  user?: string
  /** Fields no hub field covers, kept so a same-dialect upstream still receives them. */
  extra?: Record<string, unknown>
}

/**
 * Token usage. Input is split into uncached, cache-read and cache-write so no dialect's
 * convention (OpenAI counts cached inside prompt tokens, Anthropic outside) is applied twice.
 */
export interface Usage {
  /** Input tokens read neither from nor into the cache. */
  inputTokens: number
  cacheReadTokens: number
  /** Input tokens written into the cache, every tier (the 1-hour part included). */
  cacheWriteTokens: number
  /**
   * The part of cacheWriteTokens written into a 1-hour cache (Anthropic's `ttl: "1h"`), priced by
   * `ModelPrice.cacheWrite1hPerMTok`; absent means every write is the default (5-minute) tier. Since contract 1.2.
   */
  cacheWrite1hTokens?: number
  /** All output tokens, reasoning included. */
  outputTokens: number
  /** The part of outputTokens spent on reasoning. */
  reasoningTokens: number
  /** The vendor's own usage object, kept for logs and debugging. */
  raw?: unknown
  /**
   * Non-token quantities the provider billed (search units, images, seconds, characters, per-action
   * counts), by UsageQuantity name; prices refer to them through `ModelPrice.perUnit`.
   */
  quantities?: Record<string, number>
}

/** Why generation stopped, in hub terms. */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other'

/** One event of a streamed chat answer. */
export type HubEvent =
  | { type: 'message-start'; id: string; model: string; created: number }
  | { type: 'text-delta'; index: number; text: string }
  | {
      type: 'reasoning-delta'
      index: number
      text: string
      signature?: string
      redacted?: boolean /** Who signed it, as on a reasoning part. */
      signatureOrigin?: string
    }
  | { type: 'tool-call-start'; index: number; toolIndex: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; toolIndex: number; argumentsDelta: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; index: number; reason: FinishReason; rawReason?: string }
  | { type: 'error'; status: number; code: string; message: string }

/** One generated alternative (OpenAI's `n`, Gemini's candidateCount). */
export interface HubChoice {
  index: number
  content: HubPart[]
  finishReason: FinishReason
  rawFinishReason?: string
}

/** A complete (non-streamed) chat answer. */
export interface HubResult {
  id: string
  model: string
  created: number
  choices: HubChoice[]
  usage?: Usage
}

/** An empty usage record, the start value for sums. */
export function emptyUsage(): Usage {
  return { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 }
}

/** Total input tokens whatever their cache state. */
export function totalInputTokens(usage: Usage): number {
  return usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens
}

/**
 * True when a provider reported usage but every count in it is zero: no tokens and no billed quantity.
 * A real call always reads some input, so this is a provider (or plugin) bug that would make the call free.
 */
export function isZeroUsage(usage: Usage): boolean {
  const tokens = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens + usage.outputTokens + usage.reasoningTokens
  return tokens === 0 && Object.values(usage.quantities ?? {}).every((amount) => amount === 0)
}
