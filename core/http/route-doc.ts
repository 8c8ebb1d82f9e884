import type { TSchema } from '@sinclair/typebox'
import type { OpenAPIV3 } from 'openapi-types'
import type { RequiredRole } from './actor.ts'

/** OpenAPI and access metadata of one admin route. */
export interface RouteDoc {
  operationId: string
  tags: string[]
  summary: string
  /** Leave the route out of the OpenAPI document. */
  hide?: boolean
  /** Success bodies that are not JSON (a CSV download, an event stream), by status and media type; they replace the JSON entry in OpenAPI. */
  responseContent?: Record<number, Record<string, TSchema>>
  /**
   * The body of a route that relays a model call in a dialect's wire format: the relay reads and
   * validates it (unknown fields go upstream, as the dialect allows), so Elysia must not parse it and
   * OpenAPI gets it from here. Such operations are marked `x-relay`.
   */
  relayBody?: TSchema
}

/** A schema as plain JSON (TypeBox keeps its metadata under symbols, which JSON leaves out). */
function plain(schema: TSchema): OpenAPIV3.SchemaObject {
  return JSON.parse(JSON.stringify(schema)) as OpenAPIV3.SchemaObject
}

/** The OpenAPI media-type map of each status in `RouteDoc.responseContent`. */
function responseContentOf(content: NonNullable<RouteDoc['responseContent']>): Record<string, Record<string, OpenAPIV3.MediaTypeObject>> {
  return Object.fromEntries(
    Object.entries(content).map(([status, media]) => [
      status,
      Object.fromEntries(Object.entries(media).map(([type, schema]) => [type, { schema: plain(schema) }])),
    ]),
  )
}

/** The session cookie and a bearer access token both sign in; public routes need neither. */
function securityOf(role: RequiredRole): Array<Record<string, string[]>> {
  return role === 'public' ? [] : [{ bearerAuth: [] }, { sessionCookie: [] }]
}

/** What a route's `detail` holds: the OpenAPI operation fields, plus extensions the document's final pass reads. */
export type RouteDetail = Omit<RouteDoc, 'responseContent' | 'relayBody'> & {
  'x-required-role': RequiredRole
  security: Array<Record<string, string[]>>
  /** Replaces the JSON content of these statuses (see `polishOpenApiDocument`). */
  'x-response-content'?: Record<string, Record<string, OpenAPIV3.MediaTypeObject>>
  requestBody?: OpenAPIV3.RequestBodyObject
  'x-relay'?: true
  /** The body may be left out (Elysia documents every body as required; the final pass corrects it). */
  'x-body-optional'?: true
}

/** The OpenAPI detail of a route: its doc, its least role (`x-required-role`) and its security entries. */
export function routeDetail(role: RequiredRole, doc: RouteDoc): RouteDetail {
  const { responseContent, relayBody, ...rest } = doc
  return {
    ...rest,
    'x-required-role': role,
    security: securityOf(role),
    ...(responseContent ? { 'x-response-content': responseContentOf(responseContent) } : {}),
    ...(relayBody ? { requestBody: { required: true, content: { 'application/json': { schema: plain(relayBody) } } }, 'x-relay': true } : {}),
  }
}
