import { Elysia } from 'elysia'
import type { ModelPrice, ModelSpec } from '@hanggent/plugin-sdk'
import { lookupPrice } from '../../billing/resolve-price.ts'
import { GatewayError } from '../../errors.ts'
import { handleRelay } from '../../relay/pipeline.ts'
import { OpenAISpeechRequest } from '../../../schemas/openai-audio.ts'
import { PlaygroundSpeechAudio, offersSpeech } from './playground-speech.ts'
import type { Caller } from '../../relay/authenticate.ts'
import { OpenAIChatRequest } from '../../../schemas/openai-chat.ts'
import { PlaygroundCompletion, PlaygroundEvents, PlaygroundModels } from '../../../schemas/admin/playground.ts'
import type { Actor } from '../../http/actor.ts'
import { adminErrorBody } from '../../http/errors.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'
import { offersChat } from './chat-models.ts'
import { OpenAIImageGenerationRequest } from '../../../schemas/openai-images.ts'
import { PlaygroundImages } from '../../../schemas/admin/playground-images.ts'

const tags = ['playground']
const CHAT_DIALECT = 'openai.chat'
const SPEECH_DIALECT = 'openai.audio.speech'
const IMAGE_DIALECT = 'openai.images.generations'

/** The relay caller for a signed-in user: no relay key, billed to the account, routed and priced in the user's group. */
export function playgroundCaller(actor: Actor): Caller {
  // The actor resolver only returns enabled users, and drops its cache when users change.
  return { token: null, user: { id: actor.id, username: actor.username, role: actor.role, status: 'enabled' }, group: actor.group }
}

/** What a playground relay handler reads of Elysia's request context. */
interface PlaygroundRequest {
  actor: Actor
  request: Request
  clientIp: string | undefined
  set: { headers: Record<string, unknown> }
}

/** A relay failure in the admin API's error shape, with the relay's headers (Retry-After). */
function adminErrorResponse(error: GatewayError): Response {
  return new Response(JSON.stringify(adminErrorBody(error.code, error.message, error.param)), {
    status: error.status,
    headers: { 'content-type': 'application/json', ...error.options.headers },
  })
}

/**
 * The dashboard's chat playground: OpenAI Chat calls made as the signed-in user (session cookie with
 * CSRF, or a bearer access token) through the relay pipeline itself — same validation, routing,
 * reasoning suffixes, streaming and billing as /v1/chat/completions — charged to the user's own
 * quota, with no relay key involved; usage logs name the token "playground".
 */
export function playgroundRoutes(deps: AdminDeps) {
  const { context } = deps

  /** A handler relaying the request in `dialect` as the signed-in user, through the relay pipeline itself. */
  const relayAsUser =
    (dialect: string, missing: string) =>
    async ({ actor, request, clientIp, set }: PlaygroundRequest): Promise<Response> => {
      const caller = playgroundCaller(actor)
      const codec = context.registry.dialect(dialect)
      if (!codec) throw new GatewayError(501, 'not_implemented', missing)
      return handleRelay(await deps.relay(), codec, {
        request,
        params: {},
        clientIp,
        requestId: String(set.headers['x-request-id'] ?? ''),
        authenticate: async () => caller,
        renderError: adminErrorResponse,
      })
    }

  /** A handler listing the models served to the user's group that have a price and pass `offers`. */
  const modelsOffering =
    (offers: (model: string, spec: ModelSpec | undefined, price: ModelPrice) => boolean) =>
    async ({ actor }: { actor: Actor }) => {
      const { group } = actor
      const options = context.options.get()
      const models = (await deps.relay()).directory.modelsFor(group).filter((model) => {
        const price = lookupPrice(options, context.registry.listPrice, model)
        return price !== undefined && offers(model, context.registry.model(model), price.price)
      })
      return { group, items: models }
    }

  return new Elysia()
    .use(apiBase(deps))
    .post('/playground/chat/completions', relayAsUser(CHAT_DIALECT, 'No loaded plugin speaks OpenAI Chat'), {
      ...access('user', {
        operationId: 'playgroundChatCompletion',
        tags,
        summary: 'Call a model as yourself (OpenAI Chat; charged to your quota, no API key needed), streamed or not',
        relayBody: OpenAIChatRequest,
        responseContent: { 200: { 'application/json': PlaygroundCompletion, 'text/event-stream': PlaygroundEvents } },
      }),
      parse: 'none',
      response: withErrors({ 200: PlaygroundCompletion }),
    })
    .post('/playground/images/generations', relayAsUser(IMAGE_DIALECT, 'No loaded plugin serves OpenAI image generation'), {
      ...access('user', {
        operationId: 'playgroundImageGeneration',
        tags,
        summary: 'Generate images as yourself (OpenAI images; charged to your quota, no API key needed)',
        relayBody: OpenAIImageGenerationRequest,
      }),
      parse: 'none',
      response: withErrors({ 200: PlaygroundImages }),
    })
    .get(
      '/playground/image-models',
      modelsOffering((_model, spec) => spec?.capabilities.includes('image') === true),
      {
        ...access('user', {
          operationId: 'listPlaygroundImageModels',
          tags,
          summary: 'Image models you can use in the playground: served to your group, priced, and known to make images',
        }),
        response: withErrors({ 200: PlaygroundModels }),
      },
    )
    .post('/playground/audio/speech', relayAsUser(SPEECH_DIALECT, 'No loaded plugin serves OpenAI speech'), {
      ...access('user', {
        operationId: 'playgroundSpeech',
        tags,
        summary: 'Speak a text as yourself (OpenAI speech; the audio streamed back as it is made, charged to your quota, no API key needed)',
        relayBody: OpenAISpeechRequest,
        responseContent: { 200: { 'audio/mpeg': PlaygroundSpeechAudio } },
      }),
      parse: 'none',
      response: withErrors({ 200: PlaygroundSpeechAudio }),
    })
    .get('/playground/speech-models', modelsOffering(offersSpeech), {
      ...access('user', {
        operationId: 'listPlaygroundSpeechModels',
        tags,
        summary: 'Speech models you can use in the playground: served to your group, priced, and known to speak',
      }),
      response: withErrors({ 200: PlaygroundModels }),
    })
    .get('/playground/models', modelsOffering(offersChat), {
      ...access('user', {
        operationId: 'listPlaygroundModels',
        tags,
        summary: 'Models you can chat with in the playground: served to your group, priced, and able to chat (no embedding, rerank or speech models)',
      }),
      response: withErrors({ 200: PlaygroundModels }),
    })
}
