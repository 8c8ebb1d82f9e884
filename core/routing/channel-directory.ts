import { eq } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { abilities, channels, type ChannelStatus } from '../db/schema.ts'
import { keyFingerprint } from './key-selection.ts'

/** A channel as the relay uses it: keys decrypted, ready to call. */
export interface RuntimeChannel {
  id: number
  type: string
  name: string
  baseUrl: string | null
  keys: string[]
  models: string[]
  groups: string[]
  modelMapping: Record<string, string>
  priority: number
  weight: number
  status: ChannelStatus
  /** Why the channel is disabled, when it is. */
  statusReason: string | null
  settings: Record<string, unknown>
  statusCodeMapping: Record<string, string>
  thinkingToContent: boolean
  /** How a key is picked per call. */
  keyMode: 'random' | 'round-robin'
  /** Every key the channel has, enabled or not (health checks test disabled ones). */
  allKeys: string[]
}

/** In-memory view of channels and abilities, reloaded whenever the bus says channels changed. */
export interface ChannelDirectory {
  /** Enabled channels serving `model` to `group`. */
  candidates(group: string, model: string): RuntimeChannel[]
  /** Every model some enabled channel serves to `group`. */
  modelsFor(group: string): string[]
  /** True when some channel lists `model` for `group`, enabled or not: a known model whose channels are down, not an unknown one. */
  knows(group: string, model: string): boolean
  /** A channel by id, whatever its status. */
  channel(id: number): RuntimeChannel | undefined
  /** Every channel, whatever its status. */
  all(): RuntimeChannel[]
  /** Re-reads channels and abilities from the database. */
  reload(): Promise<void>
}

function decryptKeys(context: AppContext, sealed: string, channelId: number): string[] {
  try {
    const keys = JSON.parse(context.secretBox.open(sealed)) as unknown
    return Array.isArray(keys) ? keys.filter((key): key is string => typeof key === 'string' && key !== '') : []
  } catch (error) {
    context.logger.log('error', 'cannot decrypt channel keys (is CRYPTO_SECRET the one they were written with?)', { channelId, error: String(error) })
    return []
  }
}

/** Loads the directory and subscribes it to channel changes. */
export async function createChannelDirectory(context: AppContext): Promise<ChannelDirectory> {
  let byId = new Map<number, RuntimeChannel>()
  let index = new Map<string, Map<string, RuntimeChannel[]>>()
  let known = new Set<string>()

  async function reload() {
    const db = context.database.db
    const rows = await db.select().from(channels)
    const nextById = new Map<number, RuntimeChannel>()
    for (const row of rows) {
      const allKeys = decryptKeys(context, row.keysEncrypted, row.id)
      nextById.set(row.id, {
        id: row.id,
        type: row.type,
        name: row.name,
        baseUrl: row.baseUrl,
        allKeys,
        keyMode: row.keyMode,
        keys: allKeys.filter((key) => !row.keyStates[keyFingerprint(key)]),
        models: row.models,
        groups: row.groups,
        modelMapping: row.modelMapping,
        priority: row.priority,
        weight: row.weight,
        status: row.status,
        statusReason: row.statusReason,
        settings: row.settings,
        statusCodeMapping: row.statusCodeMapping,
        thinkingToContent: row.thinkingToContent,
      })
    }
    const nextIndex = new Map<string, Map<string, RuntimeChannel[]>>()
    const nextKnown = new Set<string>()
    for (const channel of nextById.values()) for (const group of channel.groups) for (const model of channel.models) nextKnown.add(`${group}\u0000${model}`)
    for (const ability of await db.select().from(abilities).where(eq(abilities.enabled, true))) {
      const channel = nextById.get(ability.channelId)
      if (!channel || channel.status !== 'enabled' || channel.keys.length === 0) continue
      const byModel = nextIndex.get(ability.group) ?? new Map<string, RuntimeChannel[]>()
      byModel.set(ability.model, [...(byModel.get(ability.model) ?? []), channel])
      nextIndex.set(ability.group, byModel)
    }
    byId = nextById
    index = nextIndex
    known = nextKnown
  }

  await reload()
  context.bus.subscribe('channels', reload)
  return {
    candidates: (group, model) => index.get(group)?.get(model) ?? [],
    modelsFor: (group) => [...(index.get(group)?.keys() ?? [])].sort(),
    knows: (group, model) => known.has(`${group}\u0000${model}`),
    channel: (id) => byId.get(id),
    all: () => [...byId.values()],
    reload,
  }
}
