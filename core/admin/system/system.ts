import { Elysia, t } from 'elysia'
import { EVENT_LOOP_HISTORY_SECONDS, startEventLoopMonitor } from '../../runtime/event-loop-monitor.ts'
import { IntegerParameter } from '../../../schemas/admin/common.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'

const tags = ['system']

const RuntimeQuery = t.Object(
  {
    windowSeconds: t.Optional(
      IntegerParameter('windowSeconds', {
        maximum: EVENT_LOOP_HISTORY_SECONDS,
        description: `Seconds of event-loop history to summarise (default 60, at most ${EVENT_LOOP_HISTORY_SECONDS})`,
      }),
    ),
  },
  { additionalProperties: false },
)

const RuntimeView = t.Object({
  rssBytes: t.Integer({ description: 'Resident memory of the whole process (all threads)' }),
  heapUsedBytes: t.Integer({
    description: 'As the runtime reports it (Bun counts memory its JS objects hold outside the heap, so it can exceed heapTotalBytes)',
  }),
  heapTotalBytes: t.Integer(),
  uptimeSeconds: t.Number(),
  eventLoopLagMs: t.Object(
    {
      windowSeconds: t.Integer(),
      p50: t.Number(),
      p99: t.Number(),
      max: t.Number(),
      samples: t.Integer({ description: 'Lag samples in the window (one every ~10 ms while the loop is free)' }),
    },
    { description: 'How late a 10 ms timer fired, in milliseconds: time the event loop was busy with other work' },
  ),
})

/** Process health of this replica (admin+): memory, uptime and event-loop lag, read by operators and the relay benchmark. */
export function systemRoutes(deps: AdminDeps) {
  // Started here too, so a server built without main.ts (tests, scripts) still measures.
  const monitor = startEventLoopMonitor()
  return new Elysia().use(apiBase(deps)).get(
    '/system/runtime',
    ({ query }) => {
      const memory = process.memoryUsage()
      return {
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        heapTotalBytes: memory.heapTotal,
        uptimeSeconds: Math.round(process.uptime() * 1000) / 1000,
        eventLoopLagMs: monitor.lag(query.windowSeconds ?? 60),
      }
    },
    {
      ...access('admin', { operationId: 'getRuntime', tags, summary: "This replica's memory, uptime and event-loop lag over the last seconds" }),
      query: RuntimeQuery,
      response: withErrors({ 200: RuntimeView }),
    },
  )
}
