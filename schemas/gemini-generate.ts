import { Type, type Static } from '@sinclair/typebox'

// see https://ai.google.dev/api/generate-content (GenerateContentRequest / GenerateContentResponse)
// see https://ai.google.dev/api/caching#Content (Content, Part, Blob, FileData, FunctionCall, FunctionResponse)
// see https://ai.google.dev/api/caching#Tool (Tool, FunctionDeclaration, ToolConfig)
// Request schemas validate what the gateway relies on and accept every other field, so new Gemini
// parameters pass through without a gateway release. Response schemas describe what the converters
// read; they too accept unknown fields.

const open = { additionalProperties: true } as const

/** Inline bytes: base64 `data` with its MIME type. */
export const GeminiBlob = Type.Object({ mimeType: Type.String(), data: Type.String() }, open)

/** A file by URI (Files API, Cloud Storage, YouTube). */
export const GeminiFileData = Type.Object({ mimeType: Type.Optional(Type.String()), fileUri: Type.String() }, open)

/** A call the model asks the client to run; `id` is absent in most generateContent answers. */
export const GeminiFunctionCall = Type.Object(
  {
    id: Type.Optional(Type.String()),
    name: Type.String(),
    args: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  open,
)

/** The client's result of a function call; `response` is a JSON object. */
export const GeminiFunctionResponse = Type.Object(
  {
    id: Type.Optional(Type.String()),
    name: Type.String(),
    response: Type.Record(Type.String(), Type.Unknown()),
  },
  open,
)

/** One part of a content: exactly one of the data fields is expected; `thought` marks reasoning text. */
export const GeminiPart = Type.Object(
  {
    text: Type.Optional(Type.String()),
    thought: Type.Optional(Type.Boolean()),
    thoughtSignature: Type.Optional(Type.String()),
    inlineData: Type.Optional(GeminiBlob),
    fileData: Type.Optional(GeminiFileData),
    functionCall: Type.Optional(GeminiFunctionCall),
    functionResponse: Type.Optional(GeminiFunctionResponse),
    executableCode: Type.Optional(Type.Object({ language: Type.Optional(Type.String()), code: Type.String() }, open)),
    codeExecutionResult: Type.Optional(Type.Object({ outcome: Type.Optional(Type.String()), output: Type.Optional(Type.String()) }, open)),
  },
  open,
)

/** A turn: `user` or `model` (`function` is the legacy role of function responses, still accepted). */
export const GeminiContent = Type.Object(
  {
    role: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('model'), Type.Literal('function')])),
    parts: Type.Array(GeminiPart),
  },
  open,
)

/** A function the model may call; `parameters` is Google's OpenAPI subset, `parametersJsonSchema` plain JSON Schema. */
export const GeminiFunctionDeclaration = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    parameters: Type.Optional(Type.Object({}, open)),
    parametersJsonSchema: Type.Optional(Type.Unknown()),
  },
  open,
)

/** A tool: function declarations, or a built-in tool such as `googleSearch` or `codeExecution` (passed through). */
export const GeminiTool = Type.Object(
  {
    functionDeclarations: Type.Optional(Type.Array(GeminiFunctionDeclaration)),
    googleSearch: Type.Optional(Type.Object({}, open)),
    codeExecution: Type.Optional(Type.Object({}, open)),
  },
  open,
)

/** How the model may call functions. */
export const GeminiToolConfig = Type.Object(
  {
    functionCallingConfig: Type.Optional(
      Type.Object(
        {
          mode: Type.Optional(Type.Union(['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED'].map((mode) => Type.Literal(mode)))),
          allowedFunctionNames: Type.Optional(Type.Array(Type.String())),
        },
        open,
      ),
    ),
  },
  open,
)

/** Thinking controls: a token budget (2.5 models; 0 off, -1 dynamic) or a level (Gemini 3). */
export const GeminiThinkingConfig = Type.Object(
  {
    thinkingBudget: Type.Optional(Type.Integer()),
    includeThoughts: Type.Optional(Type.Boolean()),
    thinkingLevel: Type.Optional(Type.String()),
  },
  open,
)

/** Sampling, limits, structured output and thinking. */
export const GeminiGenerationConfig = Type.Object(
  {
    temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
    topP: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    topK: Type.Optional(Type.Number({ minimum: 0 })),
    candidateCount: Type.Optional(Type.Integer({ minimum: 1 })),
    maxOutputTokens: Type.Optional(Type.Integer({ minimum: 1 })),
    stopSequences: Type.Optional(Type.Array(Type.String())),
    responseMimeType: Type.Optional(Type.String()),
    responseSchema: Type.Optional(Type.Object({}, open)),
    responseJsonSchema: Type.Optional(Type.Unknown()),
    seed: Type.Optional(Type.Integer()),
    presencePenalty: Type.Optional(Type.Number()),
    frequencyPenalty: Type.Optional(Type.Number()),
    thinkingConfig: Type.Optional(GeminiThinkingConfig),
  },
  open,
)

/** One safety threshold. */
export const GeminiSafetySetting = Type.Object({ category: Type.String(), threshold: Type.String() }, open)

/** POST /v1beta/models/{model}:generateContent (and :streamGenerateContent) request body; the model is in the URL. */
export const GeminiGenerateContentRequest = Type.Object(
  {
    contents: Type.Array(GeminiContent, { minItems: 1 }),
    systemInstruction: Type.Optional(Type.Object({ role: Type.Optional(Type.String()), parts: Type.Array(GeminiPart) }, open)),
    tools: Type.Optional(Type.Array(GeminiTool)),
    toolConfig: Type.Optional(GeminiToolConfig),
    generationConfig: Type.Optional(GeminiGenerationConfig),
    safetySettings: Type.Optional(Type.Array(GeminiSafetySetting)),
    cachedContent: Type.Optional(Type.String()),
  },
  open,
)

/** Token counts of a response; `promptTokenCount` includes `cachedContentTokenCount`. */
export const GeminiUsageMetadata = Type.Object(
  {
    promptTokenCount: Type.Optional(Type.Integer()),
    candidatesTokenCount: Type.Optional(Type.Integer()),
    totalTokenCount: Type.Optional(Type.Integer()),
    cachedContentTokenCount: Type.Optional(Type.Integer()),
    thoughtsTokenCount: Type.Optional(Type.Integer()),
    toolUsePromptTokenCount: Type.Optional(Type.Integer()),
  },
  open,
)

/** One generated alternative. */
export const GeminiCandidate = Type.Object(
  {
    content: Type.Optional(Type.Object({ role: Type.Optional(Type.String()), parts: Type.Optional(Type.Array(GeminiPart)) }, open)),
    finishReason: Type.Optional(Type.String()),
    index: Type.Optional(Type.Integer()),
  },
  open,
)

/** Why the prompt itself was blocked, when it was. */
export const GeminiPromptFeedback = Type.Object({ blockReason: Type.Optional(Type.String()) }, open)

/** A complete answer, and also the shape of every streamed chunk. */
export const GeminiGenerateContentResponse = Type.Object(
  {
    candidates: Type.Optional(Type.Array(GeminiCandidate)),
    promptFeedback: Type.Optional(GeminiPromptFeedback),
    usageMetadata: Type.Optional(GeminiUsageMetadata),
    modelVersion: Type.Optional(Type.String()),
    responseId: Type.Optional(Type.String()),
  },
  open,
)

/** One chunk of an `alt=sse` stream: a GenerateContentResponse, or an error Google sends inside the stream instead. */
export const GeminiStreamChunk = Type.Object({ ...GeminiGenerateContentResponse.properties, error: Type.Optional(Type.Unknown()) }, open)

/** Google's error envelope (google.rpc.Status as JSON). */
export const GeminiErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.Integer(),
        message: Type.String(),
        status: Type.String(),
        details: Type.Optional(Type.Array(Type.Object({ '@type': Type.String() }, open))),
      },
      open,
    ),
  },
  open,
)

/** The typed request body. */
export type GeminiGenerateContentRequest = Static<typeof GeminiGenerateContentRequest>
/** A typed content part. */
export type GeminiPart = Static<typeof GeminiPart>
/** A typed content (turn). */
export type GeminiContent = Static<typeof GeminiContent>
/** A typed function declaration. */
export type GeminiFunctionDeclaration = Static<typeof GeminiFunctionDeclaration>
/** A typed tool. */
export type GeminiTool = Static<typeof GeminiTool>
/** Typed generation settings. */
export type GeminiGenerationConfig = Static<typeof GeminiGenerationConfig>
/** Typed thinking settings. */
export type GeminiThinkingConfig = Static<typeof GeminiThinkingConfig>
/** Typed usage counts. */
export type GeminiUsageMetadata = Static<typeof GeminiUsageMetadata>
/** A typed candidate. */
export type GeminiCandidate = Static<typeof GeminiCandidate>
/** A typed complete answer or stream chunk. */
export type GeminiGenerateContentResponse = Static<typeof GeminiGenerateContentResponse>
/** A typed stream chunk. */
export type GeminiStreamChunk = Static<typeof GeminiStreamChunk>
/** A typed error body. */
export type GeminiErrorBody = Static<typeof GeminiErrorBody>
