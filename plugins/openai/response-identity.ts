import { nowSeconds, type ConversionEnv } from '@hanggent/plugin-sdk'

// Ids and timestamps of encoded answers. A hub id already in the vendor's form is kept, so a Chat
// answer relayed through the hub keeps its `chatcmpl-` id; any other id is replaced by a fresh one.

/** Hub `created` values above this are milliseconds (seconds reach it in the year 5138). */
const MILLISECONDS_THRESHOLD = 100_000_000_000

/** The answer id: `id` when it already has the vendor's prefix, else a new one from `env`. */
export function responseId(id: string | undefined, prefix: string, env: ConversionEnv): string {
  return id?.startsWith(prefix) && id.length > prefix.length ? id : env.newId(prefix)
}

/** A creation time in whole seconds: the hub value (seconds, or milliseconds from some decoders), else now. */
export function createdSeconds(created: number | undefined, env: ConversionEnv): number {
  if (typeof created !== 'number' || !Number.isFinite(created) || created <= 0) return nowSeconds(env)
  return created > MILLISECONDS_THRESHOLD ? Math.floor(created / 1000) : Math.floor(created)
}
