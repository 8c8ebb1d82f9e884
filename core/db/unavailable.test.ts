import { describe, expect, test } from 'bun:test'
import { renderAdminError } from '../http/errors.ts'
import { toGatewayError } from '../errors.ts'
import { isDatabaseUnavailable } from './unavailable.ts'

// What postgres.js throws when PostgreSQL restarts under a pooled connection, and what drizzle wraps it in.
const closed = Object.assign(new Error('write CONNECTION_CLOSED 127.0.0.1:5432'), { code: 'CONNECTION_CLOSED' })
const shutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })
const wrapped = Object.assign(new Error('Failed query: select "id" from "tokens"'), { cause: closed })

describe('a database that went away', () => {
  test('connection errors, SQLSTATE class 08 and a server shutting down are outages, also wrapped by drizzle', () => {
    expect([closed, shutdown, wrapped, { code: '08006' }, { code: 'ECONNREFUSED' }].map(isDatabaseUnavailable)).toEqual([true, true, true, true, true])
    expect([new Error('boom'), { code: '23505' }, { code: '42P01' }, null, 'CONNECTION_CLOSED'].map(isDatabaseUnavailable)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ])
  })

  test('the dashboard API answers a 503 the caller may retry, not a 500 internal error', () => {
    expect(renderAdminError('UNKNOWN', wrapped)).toEqual({
      status: 503,
      body: { error: { code: 'database_unavailable', message: 'The gateway cannot reach its database right now; please retry shortly' } },
    })
    expect(renderAdminError('UNKNOWN', new Error('boom')).status).toBe(500)
  })

  test('relay clients get the same 503, with the driver detail kept for the log only', () => {
    const error = toGatewayError(closed)
    expect([error.status, error.code]).toEqual([503, 'database_unavailable'])
    expect(error.message).not.toContain('127.0.0.1')
    expect(error.options.cause).toBe(closed)
  })
})
