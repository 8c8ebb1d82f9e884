import { describe, expect, test } from 'bun:test'
import { readBearerToken, readHeaderValue, versionedUrl, withExtraHeaders } from './headers.ts'

describe('readBearerToken', () => {
  test('the token of a Bearer header, any case, trimmed', () => {
    expect(readBearerToken(new Headers({ authorization: 'Bearer sk-1' }))).toBe('sk-1')
    expect(readBearerToken(new Headers({ authorization: 'bearer   sk-2  ' }))).toBe('sk-2')
    expect(readBearerToken(new Headers({ Authorization: 'BEARER sk-3' }))).toBe('sk-3')
  })
  test('undefined without a header, with another scheme or an empty token', () => {
    expect(readBearerToken(new Headers())).toBeUndefined()
    expect(readBearerToken(new Headers({ authorization: 'Basic dXNlcjpwYXNz' }))).toBeUndefined()
    expect(readBearerToken(new Headers({ authorization: 'Bearer   ' }))).toBeUndefined()
    expect(readBearerToken(new Headers({ authorization: 'Bearersk-4' }))).toBeUndefined()
  })
})

describe('readHeaderValue', () => {
  test('trimmed value; undefined when absent or blank', () => {
    expect(readHeaderValue(new Headers({ 'x-api-key': ' key ' }), 'x-api-key')).toBe('key')
    expect(readHeaderValue(new Headers({ 'x-api-key': '  ' }), 'x-api-key')).toBeUndefined()
    expect(readHeaderValue(new Headers(), 'x-api-key')).toBeUndefined()
  })
})

describe('withExtraHeaders', () => {
  test('adds string headers with lower-cased names, replacing existing ones', () => {
    const headers = withExtraHeaders({ 'content-type': 'application/json', 'x-a': '1' }, { 'X-A': '2', 'X-Trace': 't', bad: 3 })
    expect(headers).toEqual({ 'content-type': 'application/json', 'x-a': '2', 'x-trace': 't' })
  })
  test('leaves headers alone when the setting is missing or not an object', () => {
    expect(withExtraHeaders({ a: '1' }, undefined)).toEqual({ a: '1' })
    expect(withExtraHeaders({ a: '1' }, 'x-b: 2')).toEqual({ a: '1' })
    expect(withExtraHeaders({ a: '1' }, null)).toEqual({ a: '1' })
  })
})

describe('versionedUrl', () => {
  test('adds the version under a bare base URL, trailing slashes dropped', () => {
    expect(versionedUrl('https://api.example.com', '/models')).toBe('https://api.example.com/v1/models')
    expect(versionedUrl('https://api.example.com//', '/chat', 'v2')).toBe('https://api.example.com/v2/chat')
  })
  test('keeps a version the base URL already names', () => {
    expect(versionedUrl('https://proxy.example.com/openai/v1', '/models')).toBe('https://proxy.example.com/openai/v1/models')
    expect(versionedUrl('https://example.com/v2beta/', '/chat')).toBe('https://example.com/v2beta/chat')
  })
})
