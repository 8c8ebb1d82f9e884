import { randomKey } from './security/crypto.ts'

// Random per process, so ids from several replicas never collide; a counter after it, so ids from
// one process never do either. No randomness per request: ids need to be unique, not secret.
const PROCESS_TAG = randomKey(8)
let requestCounter = 0

/** A request id: sortable by time, unique across replicas, to find one request in the logs. */
export function newRequestId(now = Date.now()): string {
  requestCounter = (requestCounter + 1) % 0x7fffffff
  return `req_${now.toString(36)}${PROCESS_TAG}${requestCounter.toString(36).padStart(4, '0')}`
}
