import { describe, expect, test } from 'bun:test'
import { polishOpenApiDocument } from './openapi-document.ts'

// The final pass over the generated OpenAPI document, on hand-written fragments of what
// @elysiajs/openapi emits.

const adminError = {
  $id: '#/components/schemas/AdminError',
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' } } } },
}

function documentWith(operation: Record<string, unknown>) {
  return { openapi: '3.1.2', info: { title: 't', version: '1' }, paths: { '/api/things': { post: operation } }, components: { schemas: {} } }
}

describe('polishOpenApiDocument', () => {
  const source = documentWith({
    operationId: 'createThing',
    requestBody: {
      required: true,
      content: Object.fromEntries(
        ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'].map((type) => [
          type,
          {
            schema: {
              type: 'object',
              properties: {
                count: {
                  minimum: 1,
                  description: 'How many',
                  anyOf: [
                    { type: 'string', format: 'integer', default: 0 },
                    { type: 'integer', minimum: 1 },
                  ],
                },
                group: { type: 'string', pattern: '^[a-z]+$', error: 'must be lowercase letters' },
                error: { type: 'object', properties: {} },
                choice: {
                  anyOf: [
                    { const: 'a', type: 'string' },
                    { const: 'b', type: 'string' },
                  ],
                },
              },
            },
          },
        ]),
      ),
    },
    responses: {
      201: { description: 'Response for status 201', content: { 'application/json': { schema: { type: 'object' } } } },
      204: { description: 'Response for status 204', content: { type: 'void' } },
      400: { description: 'Response for status 400', content: { 'application/json': { schema: adminError } } },
    },
    'x-response-content': { 201: { 'text/csv': { schema: { type: 'string' } } } },
  })
  interface Operation {
    requestBody: { content: Record<string, { schema: { properties: Record<string, Record<string, unknown> & { anyOf?: unknown[] }> } }> }
    responses: Record<string, { description: string; content?: unknown }>
    'x-response-content'?: unknown
  }
  const polished = polishOpenApiDocument(source) as unknown as {
    paths: Record<string, Record<string, Operation>>
    components: { schemas: Record<string, unknown> }
  }
  const operation = polished.paths['/api/things']!.post!

  test("request bodies are JSON only, with Elysia's text-coercion branches and its error keyword cleaned up", () => {
    expect(Object.keys(operation.requestBody.content)).toEqual(['application/json'])
    const properties = operation.requestBody.content['application/json']!.schema.properties
    expect(properties.count).toEqual({ minimum: 1, description: 'How many', type: 'integer' })
    expect(properties.group).toEqual({ type: 'string', pattern: '^[a-z]+$', 'x-error': 'must be lowercase letters' })
    expect(properties.error).toEqual({ type: 'object', properties: {} })
    expect(properties.choice?.anyOf?.length).toBe(2)
  })

  test('schemas with a component $id become references; void content disappears; declared media types replace JSON', () => {
    expect(operation.responses['400']).toEqual({
      description: expect.stringContaining('error.field'),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/AdminError' } } },
    })
    expect(polished.components.schemas.AdminError).toEqual({ type: 'object', properties: adminError.properties })
    expect(operation.responses['204']).toEqual({ description: 'Done; no content' })
    expect(operation.responses['201']?.content).toEqual({ 'text/csv': { schema: { type: 'string' } } })
    expect(operation['x-response-content']).toBeUndefined()
  })

  test('the input document is left as it was', () => {
    expect(Object.keys((source.paths['/api/things'].post.requestBody as { content: object }).content).length).toBe(3)
    expect(source.paths['/api/things'].post['x-response-content']).toBeDefined()
  })
})
