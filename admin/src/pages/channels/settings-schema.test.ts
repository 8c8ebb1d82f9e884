import { describe, expect, test } from 'bun:test'
import { humanize, settingFields, settingPaths, settingsToSave } from './settings-schema.ts'

// The settings form is built from each plugin's schema alone; these are the shapes TypeBox emits.

describe('channel settings schema → form fields', () => {
  test('every supported kind is read with its label, description, default and limits', () => {
    const fields = settingFields({
      type: 'object',
      required: ['region'],
      properties: {
        organization: { type: 'string', description: 'OpenAI-Organization header', maxLength: 64 },
        region: { type: 'string', title: 'Region name' },
        streamUsage: { type: 'boolean', default: true },
        retries: { type: 'integer', minimum: 0, maximum: 5, default: 2 },
        temperature: { type: 'number' },
        apiVersion: {
          default: 'v1beta',
          anyOf: [
            { const: 'v1beta', type: 'string' },
            { const: 'v1', type: 'string' },
          ],
        },
        mode: { enum: ['fast', 'slow'] },
        betaHeaders: { type: 'array', items: { type: 'string', minLength: 1 } },
        features: { type: 'array', items: { anyOf: [{ const: 'a' }, { const: 'b' }] } },
        headers: { type: 'object', patternProperties: { '^(.*)$': { type: 'string' } } },
        nested: { type: 'object', required: ['deep'], properties: { deep: { type: 'string' }, count: { type: 'integer', minimum: 1 } } },
        apiSecret: { type: 'string', writeOnly: true, maxLength: 100 },
        endpoints: { type: 'array', items: { type: 'object', properties: { url: { type: 'string' } } } },
        nullableName: { anyOf: [{ type: 'string' }, { type: 'null' }], description: 'May be null' },
      },
    })
    expect(fields).toEqual([
      { key: 'organization', label: 'Organization', description: 'OpenAI-Organization header', required: false, kind: 'string', maxLength: 64 },
      { key: 'region', label: 'Region name', required: true, kind: 'string' },
      { key: 'streamUsage', label: 'Stream usage', required: false, kind: 'boolean', default: true },
      { key: 'retries', label: 'Retries', required: false, kind: 'number', integer: true, default: 2, minimum: 0, maximum: 5 },
      { key: 'temperature', label: 'Temperature', required: false, kind: 'number', integer: false },
      { key: 'apiVersion', label: 'Api version', required: false, kind: 'enum', options: ['v1beta', 'v1'], default: 'v1beta' },
      { key: 'mode', label: 'Mode', required: false, kind: 'enum', options: ['fast', 'slow'] },
      { key: 'betaHeaders', label: 'Beta headers', required: false, kind: 'string-list' },
      { key: 'features', label: 'Features', required: false, kind: 'string-list', options: ['a', 'b'] },
      { key: 'headers', label: 'Headers', required: false, kind: 'string-map' },
      {
        key: 'nested',
        label: 'Nested',
        required: false,
        kind: 'object',
        fields: [
          { key: 'deep', label: 'Deep', required: true, kind: 'string' },
          { key: 'count', label: 'Count', required: false, kind: 'number', integer: true, minimum: 1 },
        ],
      },
      { key: 'apiSecret', label: 'Api secret', required: false, kind: 'secret', maxLength: 100 },
      { key: 'endpoints', label: 'Endpoints', required: false, kind: 'json' },
      { key: 'nullableName', label: 'Nullable name', description: 'May be null', required: false, kind: 'string' },
    ])
  })

  test('a schema without properties has no fields', () => {
    expect(settingFields(undefined)).toEqual([])
    expect(settingFields({ type: 'object' })).toEqual([])
  })

  test('unset values are left out so the plugin defaults apply; text is trimmed', () => {
    const fields = settingFields({
      type: 'object',
      properties: {
        a: { type: 'string' },
        b: { type: 'array', items: { type: 'string' } },
        c: { type: 'boolean' },
        d: { type: 'object', patternProperties: { '^(.*)$': { type: 'string' } } },
      },
    })
    expect(settingsToSave(fields, { a: '  x  ', b: [], c: false, d: {}, e: undefined })).toEqual({ a: 'x', c: false })
    expect(settingsToSave(fields, { a: '', b: ['beta'], d: { 'x-h': '1' } })).toEqual({ b: ['beta'], d: { 'x-h': '1' } })
  })

  test('a group saves its own set values, and is left out when none is set; its fields have dotted paths', () => {
    const fields = settingFields({
      type: 'object',
      properties: { retry: { type: 'object', properties: { count: { type: 'integer' }, note: { type: 'string' } } }, region: { type: 'string' } },
    })
    expect(settingsToSave(fields, { retry: { count: 3, note: ' ' }, region: 'eu' })).toEqual({ retry: { count: 3 }, region: 'eu' })
    expect(settingsToSave(fields, { retry: { note: '' }, region: 'eu' })).toEqual({ region: 'eu' })
    expect(settingPaths(fields)).toEqual(['settings.retry', 'settings.retry.count', 'settings.retry.note', 'settings.region'])
  })

  test('property names read as words', () => {
    expect(humanize('apiVersion')).toBe('Api version')
    expect(humanize('stream_usage')).toBe('Stream usage')
    expect(humanize('x-api-key')).toBe('X api key')
  })
})

describe('translated settings labels (x-i18n)', () => {
  const schema = {
    type: 'object',
    properties: {
      dropThinking: {
        type: 'boolean',
        title: 'Drop thinking',
        description: "Leave the model's thinking out",
        'x-i18n': {
          fr: { title: 'Masquer la réflexion', description: 'Retire la réflexion' },
          zh: { title: '省略思考' },
          ja: { description: '思考を省きます' },
        },
      },
      region: { type: 'string' },
    },
  }
  const labels = (locale?: string) => settingFields(schema, locale).map((field) => [field.label, field.description])

  test("the reader's language is shown where the plugin translated a label, the schema's own text elsewhere", () => {
    expect(labels('fr')).toEqual([
      ['Masquer la réflexion', 'Retire la réflexion'],
      ['Region', undefined],
    ])
    expect(labels('zh-CN')).toEqual([
      ['省略思考', "Leave the model's thinking out"],
      ['Region', undefined],
    ])
    expect(labels('zh-TW')[0]).toEqual(['省略思考', "Leave the model's thinking out"])
    expect(labels('ja')[0]).toEqual(['Drop thinking', '思考を省きます'])
    expect(labels('en')[0]).toEqual(['Drop thinking', "Leave the model's thinking out"])
    expect(labels()[0]).toEqual(['Drop thinking', "Leave the model's thinking out"])
  })
})
