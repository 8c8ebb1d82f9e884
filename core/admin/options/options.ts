import { Elysia } from 'elysia'
import { Value } from '@sinclair/typebox/value'
import { mergeOptions, SystemOptions, type SystemOptionValues } from '../../options.ts'
import { GatewayError } from '../../errors.ts'
import { OptionsPatch, OptionsView } from '../../../schemas/admin/options.ts'
import { explainValueError, fieldOf } from '../../http/errors.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'

const tags = ['options']

/** Validates the options as they would be after the patch; 400 naming the first bad field. */
function checkOptions(next: SystemOptionValues): void {
  const problem = Value.Errors(SystemOptions, next).First()
  if (!problem) return
  const leaf = explainValueError(problem)
  const field = fieldOf(leaf.path) ?? 'body'
  throw new GatewayError(400, 'invalid_request', `${field}: ${leaf.message}`, { param: field })
}

/** System options (admin+): pricing overrides, group ratios, retries, self-use mode. */
export function optionRoutes(deps: AdminDeps) {
  const { context } = deps
  return new Elysia()
    .use(apiBase(deps))
    .get('/options', () => context.options.get(), {
      ...access('admin', { operationId: 'getOptions', tags, summary: 'Current system options' }),
      response: withErrors({ 200: OptionsView }),
    })
    .patch(
      '/options',
      async ({ actor: me, body }) => {
        checkOptions(mergeOptions(context.options.get(), body))
        const updated = await context.options.update(body)
        context.logWriter.write({
          type: 'manage',
          userId: me.id,
          username: me.username,
          content: `options changed: ${Object.keys(body).sort().join(', ')}`,
          details: { changed: body },
        })
        return updated
      },
      {
        ...access('admin', { operationId: 'updateOptions', tags, summary: 'Change some system options; the others keep their values' }, OptionsPatch),
        response: withErrors({ 200: OptionsView }),
      },
    )
}
