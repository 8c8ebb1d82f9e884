import { Elysia, t } from 'elysia'
import { IdParams, Page } from '../../../schemas/admin/common.ts'
import { LogExportQuery, LogListQuery, LogView } from '../../../schemas/admin/logs.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'
import { getLog, listLogs } from './log-query.ts'
import { exportFileName, logCsvStream } from './log-export.ts'

const tags = ['logs']

/** The CSV download as OpenAPI describes it. */
const CsvBody = t.String({
  description: 'RFC 4180 CSV with a header row, newest first; text cells that a spreadsheet would run as a formula start with an apostrophe',
})

/** Usage, error and audit logs: admins see everything, users only their own rows. */
export function logRoutes(deps: AdminDeps) {
  const { context } = deps
  return new Elysia()
    .use(apiBase(deps))
    .get('/logs', ({ actor, query }) => listLogs(context, actor, query), {
      ...access('user', { operationId: 'listLogs', tags, summary: 'Usage, error and audit logs, newest first (plain users see only their own)' }),
      query: LogListQuery,
      response: withErrors({ 200: Page(LogView) }),
    })
    .get(
      '/logs/export',
      ({ actor, query }) =>
        new Response(logCsvStream(context, actor, query), {
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="${exportFileName(query, context.now())}"`,
            'cache-control': 'no-store',
          },
        }),
      {
        ...access('user', {
          operationId: 'exportLogs',
          tags,
          summary: 'Every log row matching the filters of GET /api/logs, as a streamed CSV download (plain users get only their own)',
          responseContent: { 200: { 'text/csv': CsvBody } },
        }),
        query: LogExportQuery,
        response: withErrors({ 200: CsvBody }),
      },
    )
    .get('/logs/:id', ({ actor, params }) => getLog(context, actor, params.id), {
      ...access('user', { operationId: 'getLog', tags, summary: 'One log row with its full details (plain users only their own)' }),
      params: IdParams,
      response: withErrors({ 200: LogView }),
    })
}
