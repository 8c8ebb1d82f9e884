/** One change notice as it travels between replicas: who sent it and which cache is stale. */
export interface ChangeMessage {
  /** The sending process's instance id, so it can skip its own notices when they come back. */
  origin: string
  /** The stale cache's topic; receivers ignore topics they have no listener for. */
  topic: string
}

/** Serializes a notice as compact JSON (`{"origin":"…","topic":"tokens"}`). */
export function encodeChangeMessage(message: ChangeMessage): string {
  return JSON.stringify({ origin: message.origin, topic: message.topic })
}

/** Parses a notice; returns null for anything that is not one (extra fields are ignored for forward compatibility). */
export function decodeChangeMessage(text: string): ChangeMessage | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const origin: unknown = Reflect.get(value, 'origin')
  const topic: unknown = Reflect.get(value, 'topic')
  if (typeof origin !== 'string' || typeof topic !== 'string' || topic === '') return null
  return { origin, topic }
}
