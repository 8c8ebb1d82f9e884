import { parseCsv } from './csv.ts'

// The books as an operator reads them: every consume row of the admin log export (CSV), and what the
// reliability campaigns check against what clients received (each complete answer logged exactly once).

/** One consume row: who paid, how much, for which request, and its details JSON as exported. */
export interface LoggedCharge {
  tokenId: number
  userId: number
  quota: number
  requestId: string
  details: string
}

/** Every consume row the gateway at `url` logged, through `GET /api/logs/export` with an admin token. */
export async function loggedCharges(url: string, adminToken: string): Promise<LoggedCharge[]> {
  const response = await fetch(`${url}/api/logs/export?type=consume`, { headers: { authorization: `Bearer ${adminToken}` } })
  const [header, ...rows] = parseCsv(await response.text()).filter((row) => row.length > 1)
  const column = (name: string) => header!.indexOf(name)
  return rows.map((row) => ({
    tokenId: Number(row[column('tokenId')]),
    userId: Number(row[column('userId')]),
    quota: Number(row[column('quota')]),
    requestId: row[column('requestId')]!,
    details: row[column('details')] ?? '',
  }))
}

/** What a client saw of one call: its request id, and whether the whole answer arrived. */
export interface ReceivedAnswer {
  requestId: string | null
  complete: boolean
}

/** Request ids logged more than once, and complete answers not logged exactly once (by request id, null when it had none). */
export function unbalancedRequests(logged: LoggedCharge[], received: ReceivedAnswer[]): { duplicated: string[]; unbilled: Array<string | null> } {
  const perRequest = new Map<string, number>()
  for (const row of logged) perRequest.set(row.requestId, (perRequest.get(row.requestId) ?? 0) + 1)
  return {
    duplicated: [...perRequest].filter(([, count]) => count > 1).map(([id]) => id),
    unbilled: received.filter((answer) => answer.complete && (!answer.requestId || perRequest.get(answer.requestId) !== 1)).map((answer) => answer.requestId),
  }
}

/** Σ of the logged quota of the rows matching `belongs`. */
export function spentBy(logged: LoggedCharge[], belongs: (row: LoggedCharge) => boolean): number {
  return logged.filter(belongs).reduce((sum, row) => sum + row.quota, 0)
}
