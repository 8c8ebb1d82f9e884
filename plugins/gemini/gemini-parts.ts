import type { HubPart } from '@hanggent/plugin-sdk'
import type { GeminiPart } from '../../schemas/gemini-generate.ts'
import { decodeMediaPart, encodeMediaPart } from './gemini-media.ts'
import { isRecord, parseJsonObject } from '@hanggent/plugin-sdk'
import { signatureFromClient } from '@hanggent/plugin-sdk'

// see https://ai.google.dev/api/caching#Part
// see https://ai.google.dev/gemini-api/docs/thought-signatures
// Thought parts (`thought: true`) are reasoning. A `thoughtSignature` on any other part (a function
// call, or the last text part) signs the hidden thinking that preceded it; the hub carries it as an
// empty reasoning part with that signature, placed right before the part it was attached to, and the
// encoder puts it back on the next part. Code-execution parts have no hub form and become fenced text.

/** A function call's `args` as hub argument text. */
function argumentsText(args: unknown): string {
  return JSON.stringify(isRecord(args) ? args : {})
}

/** The signature of a part as a hub reasoning part, when it carries one. */
function signaturePart(part: GeminiPart): HubPart[] {
  return part.thoughtSignature ? [{ type: 'reasoning', text: '', ...signatureFromClient(part.thoughtSignature, 'google') }] : []
}

/** Code the model ran with the code-execution tool, or its output, as Markdown text. */
function codeExecutionText(part: GeminiPart): string | undefined {
  if (part.executableCode)
    return `\`\`\`${(part.executableCode.language ?? '').toLowerCase().replace('language_unspecified', '')}\n${part.executableCode.code}\n\`\`\``
  if (part.codeExecutionResult) return `\`\`\`\n${part.codeExecutionResult.output ?? ''}\n\`\`\``
  return undefined
}

/**
 * The hub parts for one Gemini part other than a function response (those answer calls, see the
 * request decoder); undefined when the part holds nothing the hub can represent.
 */
export function decodeGeminiPart(part: GeminiPart, newCallId: () => string): HubPart[] | undefined {
  if (part.thought === true) {
    const reasoning: HubPart = { type: 'reasoning', text: typeof part.text === 'string' ? part.text : '' }
    return [part.thoughtSignature ? { ...reasoning, ...signatureFromClient(part.thoughtSignature, 'google') } : reasoning]
  }
  if (part.functionCall) {
    return [
      ...signaturePart(part),
      { type: 'tool-call', id: part.functionCall.id || newCallId(), name: part.functionCall.name, arguments: argumentsText(part.functionCall.args) },
    ]
  }
  if (typeof part.text === 'string') return part.text === '' ? signaturePart(part) : [...signaturePart(part), { type: 'text', text: part.text }]
  const media = decodeMediaPart(part)
  if (media) return [...signaturePart(part), media]
  const code = codeExecutionText(part)
  if (code !== undefined) return [...signaturePart(part), { type: 'text', text: code }]
  return part.thoughtSignature ? signaturePart(part) : undefined
}

/** Hub argument text as a function call's `args` object; anything that is not a JSON object becomes `{}`. */
export function parseArguments(text: string, warn: (message: string) => void): Record<string, unknown> {
  if (text.trim() === '') return {}
  const value = parseJsonObject(text)
  if (value) return value
  warn('tool call arguments that are not a JSON object were sent as {}')
  return {}
}

/** Options of `encodeModelParts`. */
export interface ModelPartOptions {
  /** Send hub call ids as `functionCall.id` (answers to clients: yes; requests to Gemini: no). */
  callIds: boolean
  /** Receives a note for every part that could not be carried over. */
  warn(message: string): void
}

/** Puts a pending signature on a part. */
function signed(part: GeminiPart, signature: string | undefined): GeminiPart {
  return signature ? { ...part, thoughtSignature: signature } : part
}

/** One assistant part as a Gemini part, or undefined when it has no form there. */
function modelPart(part: HubPart, options: ModelPartOptions): GeminiPart | undefined {
  switch (part.type) {
    case 'reasoning':
      return { text: part.text, thought: true }
    case 'text':
      return part.text === '' ? undefined : { text: part.text }
    case 'tool-call': {
      const args = parseArguments(part.arguments, options.warn)
      return { functionCall: options.callIds ? { id: part.id, name: part.name, args } : { name: part.name, args } }
    }
    case 'image':
    case 'audio':
    case 'file':
      return encodeMediaPart(part, options.warn)
    case 'tool-result':
      options.warn(`a tool result (call ${part.callId}) inside a model turn cannot be sent to Gemini and was dropped`)
      return undefined
  }
}

/**
 * Assistant (model) content as Gemini parts. Reasoning becomes thought parts; a reasoning part with a
 * signature but no text hands its signature to the next part, or to the last one when none follows.
 * Empty text parts are left out (Gemini rejects them); redacted reasoning cannot be sent to Gemini.
 */
export function encodeModelParts(parts: HubPart[], options: ModelPartOptions): GeminiPart[] {
  const encoded: GeminiPart[] = []
  let pendingSignature: string | undefined
  for (const part of parts) {
    if (part.type === 'reasoning' && part.redacted) {
      options.warn('redacted reasoning cannot be sent to Gemini and was dropped')
      continue
    }
    if (part.type === 'reasoning' && part.text === '') {
      pendingSignature = part.signature ?? pendingSignature
      continue
    }
    const converted = modelPart(part, options)
    if (!converted) continue
    const signature = part.type === 'reasoning' ? part.signature : pendingSignature
    encoded.push(signed(converted, signature))
    if (part.type !== 'reasoning') pendingSignature = undefined
  }
  const last = encoded.at(-1)
  if (pendingSignature && last && !last.thoughtSignature) encoded[encoded.length - 1] = signed(last, pendingSignature)
  return encoded
}
