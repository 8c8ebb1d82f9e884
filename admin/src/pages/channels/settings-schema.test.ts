import { describe, expect, test } from 'bun:test'
import { humanize, settingFields, settingsToSave } from './settings-schema.ts'

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
        apiVersion: { default: 'v1beta', anyOf: [{ const: 'v1beta', type: 'string' }, { const: 'v1', type: 'string' }] },
        mode: { enum: ['fast', 'slow'] },
        betaHeaders: { type: 'array', items: { type: 'string', minLength: 1 } },
        features: { type: 'array', items: { anyOf: [{ const: 'a' }, { const: 'b' }] } },
        headers: { type: 'object', patternProperties: { '^(.*)$': { type: 'string' } } },
        nested: { type: 'object', properties: { deep: { type: 'string' } } },
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
      { key: 'nested', label: 'Nested', required: false, kind: 'json' },
      { key: 'nullableName', label: 'Nullable name', description: 'May be null', required: false, kind: 'string' },
    ])
  })

  test('a schema without properties has no fields', () => {
    expect(settingFields(undefined)).toEqual([])
    expect(settingFields({ type: 'object' })).toEqual([])
  })

  test('unset values are left out so the plugin defaults apply; text is trimmed', () => {
    const fields = settingFields({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'array', items: { type: 'string' } }, c: { type: 'boolean' }, d: { type: 'object', patternProperties: { '^(.*)$': { type: 'string' } } } } })
    expect(settingsToSave(fields, { a: '  x  ', b: [], c: false, d: {}, e: undefined })).toEqual({ a: 'x', c: false })
    expect(settingsToSave(fields, { a: '', b: ['beta'], d: { 'x-h': '1' } })).toEqual({ b: ['beta'], d: { 'x-h': '1' } })
  })

  test('property names read as words', () => {
    expect(humanize('apiVersion')).toBe('Api version')
    expect(humanize('stream_usage')).toBe('Stream usage')
    expect(humanize('x-api-key')).toBe('X api key')
  })
})
