import { describe, expect, test } from 'bun:test'
import { formatTraceparent, parseTraceparent } from './tracing.ts'

// W3C Trace Context `traceparent`: version-traceid-parentid-flags, lower-case hex.
// see https://www.w3.org/TR/trace-context/#traceparent-header

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'

describe('traceparent', () => {
  test('a valid header names the remote parent and its sampled flag', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true })
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.traceFlags).toBe(0)
  })

  test('a later version may carry more fields; version 00 may not', () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-extra`)?.traceId).toBe(TRACE)
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01-extra`)).toBeUndefined()
  })

  test.each([
    ['absent', null],
    ['empty', ''],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['short trace id', `00-${TRACE.slice(2)}-${SPAN}-01`],
    ['not hex', `00-${TRACE.replace('4', 'g')}-${SPAN}-01`],
  ])('%s starts a new trace (undefined)', (_name, header) => {
    expect(parseTraceparent(header)).toBeUndefined()
  })

  test('format writes what parse reads', () => {
    const context = { traceId: TRACE, spanId: SPAN, traceFlags: 1 }
    expect(formatTraceparent(context)).toBe(`00-${TRACE}-${SPAN}-01`)
    expect(parseTraceparent(formatTraceparent(context))).toEqual({ ...context, isRemote: true })
  })
})
