import { Elysia } from 'elysia'
import { openapi } from '@elysiajs/openapi'
import { COERCION_FORMATS } from './http/errors.ts'
import { createAssetServer, referencePage, swaggerUiPackage } from './api-reference-ui.ts'

// The admin API's OpenAPI document: what @elysiajs/openapi generates from the routes, plus a final
// pass (`polishOpenApiDocument`) that makes it a clean OpenAPI 3.1 document for linters, generated
// clients and people. The pass is pure and works on plain JSON, so it is tested without a server.

/** Every tag an admin route may use, with the description the document publishes; a route naming another tag fails the contract test. */
export const API_TAGS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'public', description: 'What anyone may read without signing in: status and prices' },
  { name: 'setup', description: 'First-run setup: replace the root password printed on first start' },
  { name: 'auth', description: 'Password sign-in (bearer token or session cookie) and sign-out' },
  { name: 'sessions', description: 'Your sign-in sessions and personal access tokens' },
  { name: 'two-factor', description: 'TOTP two-factor sign-in: enrol, confirm, turn off' },
  { name: 'users', description: 'Accounts, roles, groups and quota' },
  { name: 'tokens', description: 'Relay API keys (`sk-…`) for the model endpoints' },
  { name: 'channels', description: 'Upstream provider accounts the relay routes to' },
  { name: 'channel-types', description: 'Channel types the loaded plugins serve' },
  { name: 'playground', description: 'Calling models as the signed-in user, without an API key' },
  { name: 'logs', description: 'Usage, error and audit logs, and their CSV export' },
  { name: 'stats', description: 'Usage over time from hourly and daily rollups' },
  { name: 'system', description: "This replica's process health: memory, uptime, event-loop lag" },
  { name: 'plugins', description: 'The loaded provider plugins: versions, origin and what each declares' },
  { name: 'redemptions', description: 'Single-use codes that add quota' },
  { name: 'tasks', description: 'Asynchronous tasks (Midjourney, Suno, video): status, results, charges and refunds' },
  { name: 'topups', description: "Online top-up through Stripe Checkout and EPay: orders, settings and the providers' callbacks" },
  { name: 'options', description: 'System options: pricing, ratios, retries, limits' },
  { name: 'groups', description: 'User groups and their price ratios' },
  { name: 'models', description: 'Every known model with its list price, override and effective price' },
  { name: 'linked-accounts', description: 'Sign-in identities from OAuth/OIDC providers and Telegram linked to an account' },
  { name: 'sign-in-settings', description: 'Sign-in providers (GitHub, Discord, LinuxDO, OIDC, Telegram) and registration' },
]

/** What the document says about the API before any route is read. */
function baseDocumentation(version: string) {
  return {
    info: {
      title: 'Hanggent API — admin',
      version,
      description:
        'Admin API of the Hanggent LLM gateway. Authenticate with `Authorization: Bearer <access token>` (automation) or the session cookie set by `POST /api/auth/login` with `session: true` (the dashboard; writes then need the `X-CSRF-Token` header). Errors are `{"error": {"code", "message", "field"}}`.',
      license: { name: 'MIT', identifier: 'MIT' },
      contact: { name: 'Hanggent API maintainers' },
    },
    servers: [{ url: '/', description: 'The gateway serving this document' }],
    tags: [...API_TAGS],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http' as const,
          scheme: 'bearer',
          description: 'An access token: from POST /api/auth/login, a personal access token, or ROOT_ACCESS_TOKEN',
        },
        sessionCookie: {
          type: 'apiKey' as const,
          in: 'cookie',
          name: 'hanggent_session',
          description: 'The dashboard session; cookie-authenticated writes must echo the hanggent_csrf cookie in X-CSRF-Token',
        },
      },
    },
  }
}

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

const COMPONENT_PREFIX = '#/components/schemas/'
/** Keywords whose value is a map of name → schema. */
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'dependentSchemas']
/** Keywords whose value is a schema. */
const SCHEMA_VALUES = ['items', 'additionalProperties', 'unevaluatedProperties', 'contains', 'not', 'if', 'then', 'else', 'propertyNames']
/** Keywords whose value is a list of schemas. */
const SCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems']

/**
 * Elysia documents `t.Integer()`, `t.Numeric()` and `t.Boolean()` as "a number-looking string, or
 * the type", because it converts query text; in JSON bodies and answers only the type is meant.
 */
function withoutCoercion(schema: Json): Json {
  const branches = schema.anyOf
  if (!Array.isArray(branches) || branches.length !== 2) return schema
  const coercion = branches.findIndex(
    (branch) => isObject(branch) && branch.type === 'string' && typeof branch.format === 'string' && COERCION_FORMATS.has(branch.format),
  )
  const real = branches[1 - coercion]
  if (coercion < 0 || !isObject(real)) return schema
  const { anyOf: _anyOf, ...outer } = schema
  return { ...outer, ...real }
}

/**
 * One schema, cleaned: coercion branches dropped, Elysia's `error` message kept as `x-error` (it is
 * no JSON Schema keyword), and schemas carrying a component `$id` moved to `components` and referenced.
 */
function polishSchema(value: unknown, components: Json): unknown {
  if (!isObject(value)) return value
  let schema = withoutCoercion(value)
  const copy: Json = {}
  for (const [key, child] of Object.entries(schema)) {
    if (key === 'error' && typeof child === 'string') copy['x-error'] = child
    else if (SCHEMA_MAPS.includes(key) && isObject(child))
      copy[key] = Object.fromEntries(Object.entries(child).map(([name, nested]) => [name, polishSchema(nested, components)]))
    else if (SCHEMA_VALUES.includes(key) && isObject(child)) copy[key] = polishSchema(child, components)
    else if (SCHEMA_LISTS.includes(key) && Array.isArray(child)) copy[key] = child.map((nested) => polishSchema(nested, components))
    else copy[key] = child
  }
  schema = copy
  const id = schema.$id
  if (typeof id === 'string' && id.startsWith(COMPONENT_PREFIX)) {
    const { $id: _id, ...component } = schema
    components[id.slice(COMPONENT_PREFIX.length)] = component
    return { $ref: id }
  }
  return schema
}

/** What each error status means on the admin API. */
const ERROR_DESCRIPTIONS: Record<string, string> = {
  400: 'Invalid request: `error.field` names the body field, query or path parameter at fault',
  401: 'Not signed in, or the credential is unknown, expired or revoked',
  403: 'Signed in, but this role, scope or account may not do this',
  404: 'No such object (or not yours)',
  409: 'Conflicts with the current state',
  429: 'Rate limited; see Retry-After',
  500: 'Internal error; see the gateway log',
}
const SUCCESS_DESCRIPTIONS: Record<string, string> = { 200: 'OK', 201: 'Created', 204: 'Done; no content' }

/** A media-type map with each schema polished; anything that is not a media-type object (Elysia writes `{type: "void"}` for 204) is dropped. */
function polishContent(content: unknown, components: Json): Json | undefined {
  if (!isObject(content)) return undefined
  const media = Object.entries(content).filter(([, entry]) => isObject(entry))
  if (media.length === 0) return undefined
  return Object.fromEntries(media.map(([type, entry]) => [type, { ...(entry as Json), schema: polishSchema((entry as Json).schema, components) }]))
}

function polishResponses(responses: unknown, replacements: Json, components: Json): Json {
  const polished: Json = {}
  for (const [status, response] of Object.entries(isObject(responses) ? responses : {})) {
    if (!isObject(response)) continue
    const content = polishContent(replacements[status] ?? response.content, components)
    const generic = typeof response.description !== 'string' || response.description.startsWith('Response for status')
    const description = generic ? (ERROR_DESCRIPTIONS[status] ?? SUCCESS_DESCRIPTIONS[status] ?? `HTTP ${status}`) : response.description
    polished[status] = { ...response, description, ...(content ? { content } : {}) }
    if (!content) delete (polished[status] as Json).content
  }
  return polished
}

/** An operation: JSON-only request body (the admin API reads JSON), polished schemas and responses. */
function polishOperation(operation: Json, components: Json): Json {
  const { 'x-response-content': replacements, 'x-body-optional': bodyOptional, ...rest } = operation
  const polished: Json = { ...rest, responses: polishResponses(operation.responses, isObject(replacements) ? replacements : {}, components) }
  if (Array.isArray(operation.parameters)) {
    polished.parameters = operation.parameters.map((parameter) =>
      isObject(parameter) ? { ...parameter, schema: polishSchema(parameter.schema, components) } : parameter,
    )
  }
  const body = operation.requestBody
  if (isObject(body) && isObject(body.content)) {
    const json = (body.content as Json)['application/json']
    const { description, ...requestBody } = body
    polished.requestBody = {
      ...requestBody,
      ...(typeof description === 'string' ? { description } : {}),
      ...(bodyOptional === true ? { required: false } : {}),
      content: polishContent(json ? { 'application/json': json } : body.content, components),
    }
  }
  return polished
}

/** The final pass over the generated document (pure; the input is left unchanged). */
export function polishOpenApiDocument(document: Json): Json {
  const components: Json = { ...(isObject(document.components) && isObject(document.components.schemas) ? document.components.schemas : {}) }
  const paths: Json = {}
  for (const [path, item] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    if (!isObject(item)) continue
    paths[path] = Object.fromEntries(
      Object.entries(item).map(([method, operation]) => [method, isObject(operation) ? polishOperation(operation, components) : operation]),
    )
  }
  return { ...document, paths, components: { ...(isObject(document.components) ? document.components : {}), schemas: components } }
}

/** Where the relay's own document is served (the admin API's stays at /swagger/json). */
export const RELAY_DOCUMENT_PATH = '/swagger/relay/json'

/**
 * The API reference at /swagger (Swagger UI from the installed swagger-ui-dist, no CDN), the admin
 * document at /swagger/json, polished once per generated document (the plugin regenerates it only
 * when routes change), and the relay's document at /swagger/relay/json.
 */
export function openApiRoutes(version: string, relayDocument: Json) {
  const polished = new WeakMap<object, Json>()
  const ui = swaggerUiPackage()
  const assetBase = `/swagger/assets/${ui.version}`
  const serveAsset = createAssetServer(ui.dir)
  const page = referencePage({
    title: 'Hanggent API reference',
    assetBase,
    documents: [
      { name: 'Admin API (/api)', url: '/swagger/json' },
      { name: 'Relay API (/v1, /v1beta)', url: RELAY_DOCUMENT_PATH },
    ],
  })
  const hidden = { detail: { hide: true } }
  return (
    new Elysia({ name: 'openapi-document' })
      .mapResponse(({ path, responseValue }) => {
        if (path !== '/swagger/json' || !isObject(responseValue)) return undefined
        let document = polished.get(responseValue)
        if (!document) {
          document = polishOpenApiDocument(responseValue)
          polished.set(responseValue, document)
        }
        return Response.json(document)
      })
      // provider: null — the plugin serves the document only; the page below loads its UI from local files.
      .use(openapi({ path: '/swagger', specPath: '/swagger/json', provider: null, documentation: baseDocumentation(version) }))
      .get('/swagger', () => new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' } }), hidden)
      .get(RELAY_DOCUMENT_PATH, () => Response.json(relayDocument), hidden)
      .get(
        '/swagger/assets/:version/:name',
        ({ params, request, status }) => {
          const response = params.version === ui.version ? serveAsset(params.name, request.headers.get('accept-encoding')) : undefined
          return response ?? status(404, 'Not Found')
        },
        hidden,
      )
  )
}
