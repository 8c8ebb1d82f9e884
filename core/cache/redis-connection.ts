import Redis, { type RedisOptions } from 'ioredis'

/**
 * Opens an ioredis connection and waits until it is ready, so a wrong REDIS_URL fails at start-up
 * instead of queueing commands forever. Later drops reconnect on ioredis' own schedule; every
 * connection error (including each failed reconnect attempt) goes to `onError`.
 */
export async function connectRedis(redisUrl: string, onError: (error: unknown) => void, options: RedisOptions = {}): Promise<Redis> {
  const client = new Redis(redisUrl, { ...options, lazyConnect: true })
  client.on('error', onError)
  try {
    await client.connect()
  } catch (error) {
    client.disconnect()
    throw error
  }
  return client
}

/** Quits politely when connected; otherwise drops the socket and stops reconnecting, so shutdown never waits on a dead server. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect()
    return
  }
  try {
    await client.quit()
  } catch {
    client.disconnect()
  }
}
