import { describe, expect, test } from 'bun:test'
import { Type } from '@sinclair/typebox'
import { readSettings } from './settings.ts'

const Settings = Type.Object(
  {
    apiVersion: Type.Optional(Type.Union([Type.Literal('v1'), Type.Literal('v1beta')], { default: 'v1beta' })),
    organization: Type.Optional(Type.String({ minLength: 1 })),
    streamUsage: Type.Optional(Type.Boolean({ default: true })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
)

describe('readSettings', () => {
  test('valid values are kept, typed by the schema', () => {
    const settings = readSettings(Settings, { apiVersion: 'v1', organization: 'org-1', streamUsage: false, headers: { 'x-a': '1' } })
    expect(settings).toEqual({ apiVersion: 'v1', organization: 'org-1', streamUsage: false, headers: { 'x-a': '1' } })
    const version: 'v1' | 'v1beta' | undefined = settings.apiVersion
    expect(version).toBe('v1')
  })
  test('missing values take the property default, or stay out', () => {
    expect(readSettings(Settings, {})).toEqual({ apiVersion: 'v1beta', streamUsage: true })
  })
  test('a stale or invalid value is replaced by the default or dropped, never thrown', () => {
    const settings = readSettings(Settings, { apiVersion: 'v3', organization: '', streamUsage: 'no', headers: { 'x-a': 1 }, removed: 'x' })
    expect(settings).toEqual({ apiVersion: 'v1beta', streamUsage: true })
  })
  test('settings that are not an object read as empty', () => {
    expect(readSettings(Settings, null)).toEqual({ apiVersion: 'v1beta', streamUsage: true })
    expect(readSettings(Settings, ['v1'])).toEqual({ apiVersion: 'v1beta', streamUsage: true })
  })
  test('a default object is copied, so one call cannot change it for the next', () => {
    const WithHeaders = Type.Object({ headers: Type.Record(Type.String(), Type.String(), { default: { 'x-default': '1' } }) })
    const first = readSettings(WithHeaders, {})
    first.headers['x-changed'] = '2'
    expect(readSettings(WithHeaders, {})).toEqual({ headers: { 'x-default': '1' } })
  })
})
