import type { Converted, InboundRequest } from '@hanggent/plugin-sdk'
import type { HubChatRequest, HubTool, HubToolChoice } from '@hanggent/plugin-sdk'
import type { GeminiGenerateContentRequest } from '../../schemas/gemini-generate.ts'
import { convertFromGeminiContents } from './convert-from-gemini-contents.ts'
import { openApiToJsonSchema } from './convert-gemini-schema.ts'
import { GEMINI_DIALECT, leftoverFields } from './gemini-extra.ts'
import { isRecord, omitUndefined } from '@hanggent/plugin-sdk'
import { parseModelAction } from './gemini-model-action.ts'
import { decodeThinkingConfig } from './map-gemini-reasoning.ts'

// see https://ai.google.dev/api/generate-content#request-body
// see https://ai.google.dev/api/caching#FunctionCallingConfig (AUTO / ANY / NONE / VALIDATED)
// see https://ai.google.dev/gemini-api/docs/structured-output (responseMimeType + responseSchema / responseJsonSchema)
// The model and the stream flag live in the URL. Fields and tools without a hub form are kept in
// `extra` under `gemini.generate` (with a warning each), so a Gemini upstream still receives them.

const HANDLED_FIELDS = new Set(['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig'])
const HANDLED_GENERATION = new Set([
  'temperature',
  'topP',
  'topK',
  'candidateCount',
  'maxOutputTokens',
  'stopSequences',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'thinkingConfig',
])
const DECLARATION_FIELDS = new Set(['name', 'description', 'parameters', 'parametersJsonSchema'])

type GeminiFunctionDeclaration = NonNullable<NonNullable<GeminiGenerateContentRequest['tools']>[number]['functionDeclarations']>[number]
type GeminiGenerationConfig = NonNullable<GeminiGenerateContentRequest['generationConfig']>

/** The JSON Schema a declaration's parameters stand for (JSON Schema field first, else the OpenAPI subset). */
function declarationSchema(declaration: GeminiFunctionDeclaration): Record<string, unknown> {
  if (isRecord(declaration.parametersJsonSchema)) return declaration.parametersJsonSchema
  if (declaration.parameters) return openApiToJsonSchema(declaration.parameters)
  return { type: 'object', properties: {} }
}

/** Function declarations become hub tools; built-in tools (googleSearch, codeExecution, …) stay with the dialect. */
function convertTools(body: GeminiGenerateContentRequest, warnings: string[], extra: Record<string, unknown>): HubTool[] | undefined {
  const tools: HubTool[] = []
  const others: Record<string, unknown>[] = []
  for (const tool of body.tools ?? []) {
    const { functionDeclarations, ...rest } = tool
    for (const declaration of functionDeclarations ?? []) {
      const hubTool: HubTool = { name: declaration.name, parameters: declarationSchema(declaration) }
      if (declaration.description !== undefined) hubTool.description = declaration.description
      const dropped = Object.keys(declaration).filter((key) => !DECLARATION_FIELDS.has(key))
      if (dropped.length > 0)
        warnings.push(
          `functionDeclarations "${declaration.name}": ${dropped.join(', ')} ha${dropped.length > 1 ? 've' : 's'} no hub equivalent and was dropped`,
        )
      tools.push(hubTool)
    }
    if (Object.keys(rest).length > 0) others.push(rest)
  }
  if (others.length > 0) {
    extra.tools = others
    warnings.push(`tools ${others.map((tool) => Object.keys(tool).join('+')).join(', ')} have no hub equivalent; only a Gemini upstream receives them`)
  }
  return tools.length > 0 ? tools : undefined
}

/** `toolConfig.functionCallingConfig` as a hub tool choice; other toolConfig fields stay with the dialect. */
function convertToolConfig(body: GeminiGenerateContentRequest, warnings: string[], extra: Record<string, unknown>): HubToolChoice | undefined {
  if (body.toolConfig === undefined) return undefined
  const { functionCallingConfig, ...rest } = body.toolConfig
  if (Object.keys(rest).length > 0) {
    extra.toolConfig = rest
    warnings.push(`toolConfig.${Object.keys(rest).join(', toolConfig.')} has no hub equivalent; only a Gemini upstream receives it`)
  }
  const allowed = functionCallingConfig?.allowedFunctionNames ?? []
  switch (functionCallingConfig?.mode) {
    case 'AUTO':
      return 'auto'
    case 'NONE':
      return 'none'
    case 'ANY':
      if (allowed[0] !== undefined && allowed.length === 1) return { name: allowed[0] }
      if (allowed.length > 1) warnings.push(`allowedFunctionNames with several names cannot be carried over; any declared function may be called`)
      return 'required'
    case 'VALIDATED':
      warnings.push('function calling mode VALIDATED has no hub equivalent; sent as auto')
      return 'auto'
  }
  return undefined
}

/** `responseMimeType` and its schema as a hub response format. */
function convertResponseFormat(config: GeminiGenerationConfig, warnings: string[], leftover: Record<string, unknown>): HubChatRequest['responseFormat'] {
  const mimeType = config.responseMimeType
  const schema = isRecord(config.responseJsonSchema)
    ? config.responseJsonSchema
    : config.responseSchema
      ? openApiToJsonSchema(config.responseSchema)
      : undefined
  if (mimeType === 'application/json' || (mimeType === undefined && schema))
    return schema ? { type: 'json_schema', name: 'response', schema } : { type: 'json_object' }
  if (mimeType === 'text/plain' || mimeType === undefined) return mimeType === undefined ? undefined : { type: 'text' }
  const { responseSchema, responseJsonSchema } = config
  for (const [field, value] of Object.entries({ responseMimeType: mimeType, responseSchema, responseJsonSchema }))
    if (value !== undefined) leftover[field] = value
  warnings.push(`responseMimeType "${mimeType}" has no hub equivalent; only a Gemini upstream receives it`)
  return undefined
}

/** Sampling, limits, structured output and reasoning from `generationConfig`. */
function convertGenerationConfig(body: GeminiGenerateContentRequest, warnings: string[], extra: Record<string, unknown>): Partial<HubChatRequest> {
  const config = body.generationConfig
  if (config === undefined) return {}
  const leftover = leftoverFields(config, HANDLED_GENERATION, 'generationConfig.')
  warnings.push(...leftover.warnings)
  const converted: Partial<HubChatRequest> = {
    maxOutputTokens: config.maxOutputTokens,
    temperature: config.temperature,
    topP: config.topP,
    topK: config.topK,
    candidateCount: config.candidateCount,
    seed: config.seed,
    presencePenalty: config.presencePenalty,
    frequencyPenalty: config.frequencyPenalty,
    stop: config.stopSequences,
    responseFormat: convertResponseFormat(config, warnings, leftover.fields),
    reasoning: decodeThinkingConfig(config.thinkingConfig),
  }
  if (Object.keys(leftover.fields).length > 0) extra.generationConfig = leftover.fields
  return converted
}

/** A Gemini generateContent request (model and stream from the URL) in hub form, with notes on what the hub could not hold. */
export function convertFromGeminiRequest(body: GeminiGenerateContentRequest, request: InboundRequest): Converted<HubChatRequest> {
  const { model, action } = parseModelAction(request.params.modelAction)
  const { messages, warnings } = convertFromGeminiContents(body.contents, body.systemInstruction)
  const leftover = leftoverFields(body, HANDLED_FIELDS, '')
  const extra = leftover.fields
  warnings.push(...leftover.warnings)
  const converted: HubChatRequest = omitUndefined({
    model,
    messages,
    stream: action === 'streamGenerateContent',
    ...omitUndefined(convertGenerationConfig(body, warnings, extra)),
    tools: convertTools(body, warnings, extra),
    toolChoice: convertToolConfig(body, warnings, extra),
    extra: Object.keys(extra).length > 0 ? { [GEMINI_DIALECT]: extra } : undefined,
  })
  return { value: converted, warnings }
}
