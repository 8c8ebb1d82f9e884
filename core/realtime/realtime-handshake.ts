// What a realtime client's upgrade request says: its key (the Authorization header, or for browsers, which
// cannot set headers on a WebSocket, the `openai-insecure-api-key.<key>` subprotocol) and the subprotocol
// to answer with. Pure.
// see https://platform.openai.com/docs/guides/realtime-websocket — browser clients offer the subprotocols
// `realtime`, `openai-insecure-api-key.<key>` and `openai-beta.realtime-v1`; the server answers `realtime`.

const KEY_PROTOCOL_PREFIX = 'openai-insecure-api-key.'

/** The subprotocols a client offered, in order (Sec-WebSocket-Protocol is a comma-separated list). */
export function offeredProtocols(headers: Headers): string[] {
  return (headers.get('sec-websocket-protocol') ?? '')
    .split(',')
    .map((protocol) => protocol.trim())
    .filter(Boolean)
}

/** The relay key of an upgrade request: `Authorization: Bearer …` first, else the key subprotocol. */
export function readRealtimeKey(headers: Headers): string | undefined {
  const authorization = headers.get('authorization')
  if (authorization && /^bearer\s+/i.test(authorization)) {
    const key = authorization.replace(/^bearer\s+/i, '').trim()
    if (key !== '') return key
  }
  const offered = offeredProtocols(headers).find((protocol) => protocol.startsWith(KEY_PROTOCOL_PREFIX))
  const key = offered?.slice(KEY_PROTOCOL_PREFIX.length)
  return key === undefined || key === '' ? undefined : key
}

/** The subprotocol the server answers with: `realtime` when the client offered it (a browser client requires it), else none. */
export function answeredProtocol(headers: Headers): string | undefined {
  return offeredProtocols(headers).includes('realtime') ? 'realtime' : undefined
}

/** The `OpenAI-Beta` value a client asked for, from the header or the browser's `openai-beta.<value>` subprotocol (`realtime-v1` → `realtime=v1`). */
export function requestedBeta(headers: Headers): string | undefined {
  const header = headers.get('openai-beta')
  if (header) return header
  const offered = offeredProtocols(headers).find((protocol) => protocol.startsWith('openai-beta.'))
  if (!offered) return undefined
  const value = offered.slice('openai-beta.'.length)
  return value === 'realtime-v1' ? 'realtime=v1' : value
}

/** True for a request asking to be upgraded to a WebSocket. */
export function isWebSocketUpgrade(request: Request): boolean {
  return request.headers.get('upgrade')?.toLowerCase() === 'websocket'
}
