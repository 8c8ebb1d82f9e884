import { createHmac } from 'node:crypto'
import { GatewayError, type ChannelContext } from '@hanggent/plugin-sdk'

// Kling signs requests with a short-lived JWT: HS256 over the access key as `iss`, `exp` = now + 30 min,
// `nbf` = now − 5 s, keyed by the secret key. A channel's key is `accessKey|secretKey`, as New API stores it.
// see https://app.klingai.com/global/dev/document-api/apiReference/commonInfo (authentication)

const base64Url = (value: string | Buffer) => Buffer.from(value).toString('base64url')

/** The access key and secret key of a channel key `accessKey|secretKey`; 401 when the key is not in that form. */
export function readKlingKey(key: string): { accessKey: string; secretKey: string } {
  const bar = key.indexOf('|')
  const accessKey = bar < 0 ? '' : key.slice(0, bar).trim()
  const secretKey = bar < 0 ? '' : key.slice(bar + 1).trim()
  if (!accessKey || !secretKey) throw new GatewayError(500, 'internal_error', 'the Kling channel key must be "accessKey|secretKey"')
  return { accessKey, secretKey }
}

/** A Kling API token for the key at `nowSeconds` (the caller's clock, so tests can fix it). */
export function klingToken(key: string, nowSeconds: number): string {
  const { accessKey, secretKey } = readKlingKey(key)
  const header = base64Url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const payload = base64Url(JSON.stringify({ iss: accessKey, exp: nowSeconds + 1800, nbf: nowSeconds - 5 }))
  const signature = createHmac('sha256', secretKey).update(`${header}.${payload}`).digest('base64url')
  return `${header}.${payload}.${signature}`
}

/** The headers of every Kling request: a token minted now, JSON. */
export function klingHeaders(channel: ChannelContext): Record<string, string> {
  // A transport has no injected clock; the token is the one place a Kling request depends on the time.
  return { authorization: `Bearer ${klingToken(channel.key, Math.floor(Date.now() / 1000))}`, 'content-type': 'application/json' }
}
