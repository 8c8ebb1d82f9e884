import type { Converted } from '@hanggent/plugin-sdk'
import type { HubChatRequest, HubTool, HubToolChoice } from '@hanggent/plugin-sdk'
import type { GeminiFunctionDeclaration, GeminiGenerateContentRequest, GeminiGenerationConfig } from '../../schemas/gemini-generate.ts'
import { withoutForeignSignedReasoning } from '@hanggent/plugin-sdk'
import { convertToGeminiContents } from './convert-to-gemini-contents.ts'
import { toGeminiJsonSchema } from './convert-gemini-schema.ts'
import { geminiExtra } from './gemini-extra.ts'
import { isRecord, omitUndefined } from '@hanggent/plugin-sdk'
import { encodeThinkingConfig } from './map-gemini-reasoning.ts'

// see https://ai.google.dev/api/generate-content#request-body
// see https://ai.google.dev/api/caching#FunctionDeclaration — `parametersJsonSchema` takes plain JSON Schema
// see https://ai.google.dev/gemini-api/docs/structured-output — `responseJsonSchema` likewise
// Tool parameters go as `parametersJsonSchema` rather than the OpenAPI-subset `parameters`: hub schemas
// are JSON Schema ($ref/$defs, anyOf, additionalProperties, type arrays, const) and the JSON Schema field
// takes them as they are, where down-converting to the subset would silently loosen or drop constraints.
// Both JSON Schema fields are v1beta fields, the API version this plugin speaks. The model and the
// stream flag go in the URL (the transport reads them from the call), never in the body.

/** The empty parameter schema the hub gives functions without parameters; Gemini takes it as "no parameters". */
function isEmptyObjectSchema(schema: Record<string, unknown>): boolean {
  const keys = Object.keys(schema)
  return (
    keys.every((key) => key === 'type' || key === 'properties') &&
    schema.type === 'object' &&
    (!isRecord(schema.properties) || Object.keys(schema.properties).length === 0)
  )
}

function declaration(tool: HubTool, warnings: string[]): GeminiFunctionDeclaration {
  const converted: GeminiFunctionDeclaration = { name: tool.name }
  if (tool.description !== undefined) converted.description = tool.description
  if (!isEmptyObjectSchema(tool.parameters)) converted.parametersJsonSchema = toGeminiJsonSchema(tool.parameters)
  if (tool.strict) warnings.push(`tool "${tool.name}": strict has no Gemini equivalent and was dropped`)
  return converted
}

/** The function declarations, then the built-in tools only Gemini knows (kept in `extra`). */
function tools(request: HubChatRequest, extra: Record<string, unknown>, warnings: string[]): GeminiGenerateContentRequest['tools'] {
  const all: NonNullable<GeminiGenerateContentRequest['tools']> = []
  if (request.tools && request.tools.length > 0) all.push({ functionDeclarations: request.tools.map((tool) => declaration(tool, warnings)) })
  // Built-in tools kept from a Gemini client, whose schema checked each as an object.
  if (Array.isArray(extra.tools)) all.push(...extra.tools.filter(isRecord))
  return all.length > 0 ? all : undefined
}

type GeminiToolConfig = NonNullable<GeminiGenerateContentRequest['toolConfig']>

function functionCallingConfig(choice: HubToolChoice): NonNullable<GeminiToolConfig['functionCallingConfig']> {
  if (choice === 'auto') return { mode: 'AUTO' }
  if (choice === 'none') return { mode: 'NONE' }
  if (choice === 'required') return { mode: 'ANY' }
  return { mode: 'ANY', allowedFunctionNames: [choice.name] }
}

/** `toolConfig`: the hub tool choice (only with declared functions, as Gemini requires) plus Gemini-only fields. */
function toolConfig(request: HubChatRequest, extra: Record<string, unknown>): GeminiToolConfig | undefined {
  const config: GeminiToolConfig = isRecord(extra.toolConfig) ? { ...extra.toolConfig } : {}
  if (request.toolChoice !== undefined && request.tools && request.tools.length > 0) config.functionCallingConfig = functionCallingConfig(request.toolChoice)
  return Object.keys(config).length > 0 ? config : undefined
}

/** `generationConfig`: sampling, limits, structured output and thinking, over the Gemini-only fields kept in `extra`. */
function generationConfig(request: HubChatRequest, extra: Record<string, unknown>, warnings: string[]): GeminiGenerationConfig | undefined {
  const format = request.responseFormat
  const config: GeminiGenerationConfig = omitUndefined({
    ...(isRecord(extra.generationConfig) ? extra.generationConfig : {}),
    temperature: request.temperature,
    topP: request.topP,
    topK: request.topK,
    candidateCount: request.candidateCount,
    maxOutputTokens: request.maxOutputTokens,
    stopSequences: request.stop,
    seed: request.seed,
    presencePenalty: request.presencePenalty,
    frequencyPenalty: request.frequencyPenalty,
    responseMimeType: format ? (format.type === 'text' ? 'text/plain' : 'application/json') : undefined,
    responseJsonSchema: format?.type === 'json_schema' ? toGeminiJsonSchema(format.schema) : undefined,
    thinkingConfig: encodeThinkingConfig(request.reasoning, request.model, (message) => void warnings.push(message)),
  })
  return Object.keys(config).length > 0 ? config : undefined
}

/** A hub request as a Gemini generateContent body, with notes on what could not be carried over. */
export function convertToGeminiRequest(request: HubChatRequest): Converted<GeminiGenerateContentRequest> {
  const own = withoutForeignSignedReasoning(request.messages, 'google')
  const converted = convertToGeminiContents(own.messages, request.model)
  const { contents, systemInstruction } = converted
  const warnings = [...own.warnings, ...converted.warnings]
  const saved = geminiExtra(request)
  const { tools: _tools, toolConfig: _toolConfig, generationConfig: _generationConfig, ...topLevel } = saved
  const body: GeminiGenerateContentRequest = omitUndefined({
    ...topLevel,
    contents,
    systemInstruction,
    tools: tools(request, saved, warnings),
    toolConfig: toolConfig(request, saved),
    generationConfig: generationConfig(request, saved, warnings),
  })
  if (request.parallelToolCalls === false)
    warnings.push('parallel_tool_calls=false has no Gemini equivalent; the model may still call several functions at once')
  if (request.user !== undefined) warnings.push('user has no Gemini equivalent and was dropped')
  return { value: body, warnings }
}
