import type { AppContext } from '../app-context.ts'
import { GatewayError } from '../errors.ts'
import type { BalanceReader, SendUpstream, UpstreamBalance, UpstreamReply } from '@hanggent/plugin-sdk'
import { baseUrlOf, channelClient, readUpstream } from './channel-client.ts'
import { maskSecret } from '../security/crypto.ts'

// Reading an upstream account's balance through the reader its channel type declares. The plugin's
// reader builds the requests and reads the answers; this module sends them through the channel client
// (never following a redirect, with a timeout), checks what the reader returned and words every failure for the admin,
// with the key taken out of any message that might quote it.

/** Time each balance request may take, unless the caller says otherwise. */
export const BALANCE_TIMEOUT_MS = 15_000

/** The channel a balance is read for: where it points, which reader it names, and the key to ask with. */
export interface BalanceTarget {
  id: number
  type: string
  baseUrl: string | null
  /** The reader id the channel names, or null to pick one by the base URL's host. */
  balanceSource: string | null
  settings: Record<string, unknown>
  /** The key to read with (decrypted); never leaves the server except in the request's own headers. */
  key: string
}

/** True when `host` is `pattern` or one of its subdomains. */
export function hostMatches(host: string, pattern: string): boolean {
  return host === pattern || host.endsWith(`.${pattern}`)
}

/** The host of a base URL, lower-cased; '' when it does not parse. */
function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).hostname.toLowerCase()
  } catch {
    return ''
  }
}

/** The reader a channel uses: the one it names (undefined when the name is unknown), else the first whose hosts match its base URL. */
export function pickBalanceReader(readers: readonly BalanceReader[] | undefined, source: string | null, baseUrl: string): BalanceReader | undefined {
  if (!readers || readers.length === 0) return undefined
  if (source !== null) return readers.find((reader) => reader.id === source)
  const host = hostOf(baseUrl)
  return host === '' ? undefined : readers.find((reader) => reader.hosts?.some((pattern) => hostMatches(host, pattern)))
}

/** The base URL a channel reaches: its own, else its type's default, without a trailing slash. */
export function effectiveBaseUrl(context: AppContext, type: string, baseUrl: string | null): string {
  return baseUrlOf(baseUrl, context.registry.channelType(type)?.spec.defaultBaseUrl)
}

/** The reader a stored channel would use, or undefined when its balance cannot be read. */
export function balanceReaderOf(
  context: AppContext,
  channel: { type: string; baseUrl: string | null; balanceSource: string | null },
): BalanceReader | undefined {
  const readers = context.registry.channelType(channel.type)?.spec.balanceReaders
  return pickBalanceReader(readers, channel.balanceSource, effectiveBaseUrl(context, channel.type, channel.baseUrl))
}

/** `text` with every occurrence of `key` replaced by its masked form, so no message can carry the key. */
export function redactKey(text: string, key: string): string {
  return key.length >= 4 ? text.split(key).join(maskSecret(key)) : text
}

/**
 * A sender for readers, through the channel client: no redirect is followed (a 3xx is an error, so the
 * key is never sent on to another address), each request has `timeoutMs`, and failures are 502/504 GatewayErrors.
 */
export function createBalanceSender(timeoutMs: number, signal?: AbortSignal): SendUpstream {
  return async (request) => {
    const { status, text } = await readUpstream(request, { timeoutMs, signal, purpose: 'the balance request' })
    return { status, text, json: parseJson(text) } satisfies UpstreamReply
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

const CURRENCY = /^[A-Z]{3}$/

/** Checks what a reader returned, so a faulty plugin cannot store NaN or a made-up currency. */
function checkedBalance(balance: UpstreamBalance, reader: BalanceReader): UpstreamBalance {
  if (typeof balance?.amount !== 'number' || !Number.isFinite(balance.amount) || Math.abs(balance.amount) >= 1e18) {
    throw new GatewayError(502, 'bad_upstream_response', `balance reader "${reader.id}" returned an amount that is not a finite number`)
  }
  if (typeof balance.currency !== 'string' || !CURRENCY.test(balance.currency)) {
    throw new GatewayError(502, 'bad_upstream_response', `balance reader "${reader.id}" returned a currency that is not an ISO 4217 code`)
  }
  return balance
}

/** A reader's failure as a GatewayError: send errors keep their status, anything else is a 502 with the reader's words. */
function readFailure(error: unknown, key: string): GatewayError {
  if (error instanceof GatewayError) return new GatewayError(error.status, error.code, redactKey(error.message, key))
  const message = error instanceof Error ? error.message : String(error)
  return new GatewayError(502, 'bad_upstream_response', redactKey(message, key))
}

/**
 * Reads a channel's upstream balance. 501 when its type declares no reader for it (or it names one its
 * type does not have); 502/504 when the upstream fails or answers in a shape the reader refuses.
 */
export async function readChannelBalance(
  context: AppContext,
  target: BalanceTarget,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ reader: BalanceReader; balance: UpstreamBalance }> {
  const reader = balanceReaderOf(context, target)
  if (!reader) {
    throw new GatewayError(
      501,
      'not_implemented',
      target.balanceSource === null
        ? `channel ${target.id}: no balance reader of type "${target.type}" knows its base URL's host; choose one in balanceSource`
        : `channel ${target.id}: type "${target.type}" has no balance reader "${target.balanceSource}"`,
    )
  }
  const channel = channelClient(context).channel(target)
  try {
    const balance = await reader.read(channel, createBalanceSender(options.timeoutMs ?? BALANCE_TIMEOUT_MS, options.signal))
    return { reader, balance: checkedBalance(balance, reader) }
  } catch (error) {
    throw readFailure(error, target.key)
  }
}
