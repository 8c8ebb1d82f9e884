import { randomUUID } from 'node:crypto'
import type Redis from 'ioredis'
import { addListener, runListeners, type ChangeBus, type ChangeListener } from './change-bus.ts'
import { decodeChangeMessage, encodeChangeMessage } from './change-message.ts'
import { createCoalescedRunner } from './coalesced-runner.ts'
import { closeRedis, connectRedis } from './redis-connection.ts'

/** How long a PUBLISH may take before the notice counts as unsent (it is re-sent when the connection comes back). */
const PUBLISH_TIMEOUT_MS = 2000

/** Settings for the change bus shared by all replicas through Redis pub/sub. */
export interface RedisChangeBusOptions {
  /** The Redis server (REDIS_URL). */
  redisUrl: string
  /** Namespace shared by every replica of one deployment; the channel is `${prefix}changes`. Default `hanggent:`. */
  prefix?: string
  /** This process's id in notices and connection names (CLIENT LIST); must differ per replica. Default a random UUID. */
  instanceId?: string
  /** Receives listener failures, malformed notices, failed publishes and Redis connection errors. */
  onError?: (error: unknown) => void
}

/**
 * A ChangeBus for scale-out: `publish` reloads this process's caches (awaited, read-your-writes) and
 * sends `{"origin":<instanceId>,"topic":…}` on one channel; every other replica reloads on receipt,
 * and the sender skips its own notice. Reloads per topic are coalesced (see coalesced-runner.ts).
 *
 * Pub/sub is fire-and-forget: notices sent while a subscriber is disconnected are lost. So whenever
 * the subscriber connection comes back (ioredis reconnects and re-subscribes by itself), the bus
 * confirms the subscription and then runs ALL local listeners once — a full reload, ordered after
 * the SUBSCRIBE so no notice can fall between the two. Notices this process failed to send are
 * re-sent when its publisher connection comes back.
 */
export async function createRedisChangeBus(options: RedisChangeBusOptions): Promise<ChangeBus> {
  const prefix = options.prefix ?? 'hanggent:'
  const instanceId = options.instanceId ?? randomUUID()
  const onError = options.onError ?? (() => {})
  const channel = `${prefix}changes`
  const listeners = new Map<string, Set<ChangeListener>>()
  const reload = createCoalescedRunner((topic: string) => runListeners(listeners.get(topic) ?? [], onError))
  const unsent = new Set<string>()
  const { publisher, subscriber } = await openConnections(options.redisUrl, `${prefix}change-bus:${instanceId}`, channel, onError)
  let closed = false

  async function announce(topic: string): Promise<void> {
    try {
      await publisher.publish(channel, encodeChangeMessage({ origin: instanceId, topic }))
      unsent.delete(topic)
    } catch (error) {
      unsent.add(topic)
      onError(error)
    }
  }

  async function resync(): Promise<void> {
    try {
      await subscriber.subscribe(channel)
    } catch (error) {
      onError(error)
      return // the next 'ready' tries again
    }
    if (!closed) await Promise.all([...listeners.keys()].map(reload))
  }

  subscriber.on('message', (from: string, text: string) => {
    if (closed || from !== channel) return
    const message = decodeChangeMessage(text)
    if (!message) onError(new Error(`ignored a malformed change notice on ${channel}: ${text.slice(0, 200)}`))
    else if (message.origin !== instanceId) void reload(message.topic)
  })
  // Registered after the first connection is up, so 'ready' from here on means a reconnect.
  subscriber.on('ready', () => void resync())
  publisher.on('ready', () => [...unsent].forEach((topic) => void announce(topic)))

  return {
    async publish(topic) {
      if (closed) return
      await Promise.all([reload(topic), announce(topic)])
    },
    subscribe: (topic, listener) => addListener(listeners, topic, listener),
    async close() {
      if (closed) return
      closed = true
      listeners.clear()
      await Promise.all([closeRedis(subscriber), closeRedis(publisher)])
    },
  }
}

/** Opens the publishing connection and the subscribed one, closing whatever opened if the other fails. */
async function openConnections(
  redisUrl: string,
  name: string,
  channel: string,
  onError: (error: unknown) => void,
): Promise<{ publisher: Redis; subscriber: Redis }> {
  // No offline queue: while disconnected a publish fails at once (and is re-sent later) instead of hanging the admin write.
  const publisher = await connectRedis(redisUrl, onError, {
    connectionName: `${name}:publisher`,
    enableOfflineQueue: false,
    commandTimeout: PUBLISH_TIMEOUT_MS,
  })
  let subscriber: Redis | undefined
  try {
    subscriber = await connectRedis(redisUrl, onError, { connectionName: `${name}:subscriber` })
    await subscriber.subscribe(channel)
    return { publisher, subscriber }
  } catch (error) {
    await Promise.all([closeRedis(publisher), subscriber ? closeRedis(subscriber) : undefined])
    throw error
  }
}
