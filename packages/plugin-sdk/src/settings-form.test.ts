import { describe, expect, test } from 'bun:test'
import { Type } from '@sinclair/typebox'
import { formProblems, settingKind } from './settings-form.ts'

// The rule of what the channel form renders, checked on the shapes TypeBox emits.

describe('settingKind', () => {
  test('each renderable shape has its kind', () => {
    const kinds = Object.fromEntries(
      Object.entries({
        text: Type.String(),
        secret: Type.String({ writeOnly: true }),
        count: Type.Integer({ minimum: 0 }),
        ratio: Type.Number(),
        flag: Type.Boolean(),
        mode: Type.Union([Type.Literal('fast'), Type.Literal('slow')]),
        nullableText: Type.Union([Type.String(), Type.Null()]),
        tags: Type.Array(Type.String()),
        features: Type.Array(Type.Union([Type.Literal('a'), Type.Literal('b')])),
        headers: Type.Record(Type.String(), Type.String()),
        retry: Type.Object({ count: Type.Integer() }),
      }).map(([key, schema]) => [key, settingKind(JSON.parse(JSON.stringify(schema)))]),
    )
    expect(kinds).toEqual({
      text: 'string',
      secret: 'secret',
      count: 'number',
      ratio: 'number',
      flag: 'boolean',
      mode: 'enum',
      nullableText: 'string',
      tags: 'string-list',
      features: 'string-list',
      headers: 'string-map',
      retry: 'object',
    })
  })
})

describe('formProblems', () => {
  test('a schema of every renderable kind, nested object included, has none', () => {
    expect(
      formProblems(
        Type.Object({
          region: Type.String({ minLength: 1, maxLength: 20, 'x-i18n': { fr: { title: 'Région' }, 'zh-CN': { title: '区域' } } }),
          apiSecret: Type.Optional(Type.String({ writeOnly: true })),
          retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 5, default: 2 })),
          verbose: Type.Optional(Type.Boolean({ default: false })),
          tier: Type.Optional(Type.Union([Type.Literal('free'), Type.Literal('pro')], { default: 'free' })),
          stop: Type.Optional(Type.Array(Type.String())),
          headers: Type.Optional(Type.Record(Type.String(), Type.String())),
          retry: Type.Optional(Type.Object({ backoffMs: Type.Integer({ minimum: 0 }) })),
        }),
      ),
    ).toEqual([])
  })

  test('each shape the form cannot render is named by its path', () => {
    expect(
      formProblems(
        Type.Object({
          anything: Type.Unknown(),
          endpoints: Type.Array(Type.Object({ url: Type.String() })),
          either: Type.Union([Type.String(), Type.Number()]),
          limits: Type.Record(Type.String(), Type.Number()),
          retry: Type.Object({ backoff: Type.Array(Type.Number()) }),
        }),
      ),
    ).toEqual([
      expect.stringMatching(/^settings\.anything: a schema with no type \(any value\) cannot be rendered as a form field\. The form renders strings/),
      expect.stringMatching(/^settings\.endpoints: an array whose items are not strings cannot be rendered/),
      expect.stringMatching(/^settings\.either: a union of different types cannot be rendered/),
      expect.stringMatching(/^settings\.limits: an object with no properties whose values are not strings cannot be rendered/),
      expect.stringMatching(/^settings\.retry\.backoff: an array whose items are not strings cannot be rendered/),
    ])
  })

  test('bounds, defaults, translations and required names are checked', () => {
    expect(
      formProblems(
        Type.Object({
          retries: Type.Integer({ minimum: 5, maximum: 1 }),
          temperature: Type.Number({ maximum: 2, default: 3 }),
          tier: Type.Union([Type.Literal('free'), Type.Literal('pro')], { default: 'gold' }),
          label: Type.String({ 'x-i18n': { de: { title: 'Etikett' }, fr: { title: 3 } } }),
          pin: Type.String({ format: 'password' }),
        }),
      ),
    ).toEqual([
      'settings.retries: minimum 5 is above maximum 1',
      'settings.temperature: default 3 is above maximum 2',
      'settings.tier: default "gold" is not a valid enum value for this field',
      'settings.label: x-i18n language "de" is not one the dashboard shows (en, fr, ja, zh, zh-CN, zh-TW)',
      'settings.label: x-i18n.fr must be { title?: string, description?: string }',
      "settings.pin: format 'password' is not a format the gateway validates (every value would be refused); mark a secret with writeOnly: true",
    ])
  })

  test('the root must be an object of named settings', () => {
    expect(formProblems(Type.String())).toEqual(['settings: must be an object schema with properties (Type.Object({...}); Type.Object({}) for none)'])
    expect(formProblems(Type.Record(Type.String(), Type.String()))).toEqual([
      'settings: must be an object schema with properties (Type.Object({...}); Type.Object({}) for none)',
    ])
    expect(formProblems(Type.Object({ region: Type.String() }, { additionalProperties: Type.String() }))).toEqual([
      expect.stringMatching(/^settings: free-form properties/),
    ])
    expect(formProblems({ type: 'object', properties: { region: { type: 'string' } }, required: ['region', 'missing'] })).toEqual([
      'settings: required names "missing", which is not a property',
    ])
    expect(formProblems(Type.Object({}, { additionalProperties: false }))).toEqual([])
  })
})
