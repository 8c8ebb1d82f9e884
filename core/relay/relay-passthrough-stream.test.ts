import { describe, expect, test } from 'bun:test'
import { eventEnds } from './relay-passthrough-stream.ts'

// Which upstream reads a passthrough stream may send on as their own bytes: eventEnds must only answer
// when each blank-line-delimited piece is exactly one of the parser's events, or the client would get an
// event twice, lose one, or get a torn one.

const bytes = (text: string) => new TextEncoder().encode(text)

describe('eventEnds', () => {
  test('whole events in LF form: where each ends', () => {
    expect(eventEnds(bytes('data: a\n\ndata:b\nid: 2\n\n'), 2)).toEqual([9, 23])
    expect(eventEnds(bytes('event: x\ndata: {"a":1}\n\n'), 1)).toEqual([24])
  })

  test('a read that ends inside an event, or holds a CR, is re-framed', () => {
    expect(eventEnds(bytes('data: a\n\ndata: b'), 1)).toBeUndefined()
    expect(eventEnds(bytes('data: a\n\ndata: b\n'), 1)).toBeUndefined()
    expect(eventEnds(bytes('data: a\r\n\r\n'), 1)).toBeUndefined()
    expect(eventEnds(bytes('data: a\n\ndata: b\rdata: c\n\n'), 2)).toBeUndefined()
  })

  test('pieces that yield no event (comments, fields without data, extra blank lines) make it re-frame', () => {
    expect(eventEnds(bytes(': ping\n\ndata: a\n\n'), 1)).toBeUndefined()
    expect(eventEnds(bytes('event: ping\n\ndata: a\n\n'), 1)).toBeUndefined()
    expect(eventEnds(bytes('data: a\n\n\ndata: b\n\n'), 2)).toBeUndefined()
    expect(eventEnds(bytes('data: a\n\n\n'), 1)).toBeUndefined()
  })

  test('no events, or fewer pieces than events, is not a match', () => {
    expect(eventEnds(bytes('data: a\n\n'), 0)).toBeUndefined()
    expect(eventEnds(bytes('data: a\n\n'), 2)).toBeUndefined()
  })
})
