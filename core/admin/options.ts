import { Elysia } from 'elysia'
import { Value } from '@sinclair/typebox/value'
import { SystemOptions } from '../options.ts'
import { GatewayError } from '../errors.ts'
import { access, adminBase, signedIn, withErrors, type AdminDeps } from './http.ts'

const tags = ['options']

/** System options: pricing overrides, group ratios, retries, self-use mode. */
export function optionRoutes(deps: AdminDeps) {
  const { context } = deps
  const OptionsPatch = { ...SystemOptions, required: undefined, additionalProperties: false, minProperties: 1 } as unknown as typeof SystemOptions
  return new Elysia({ prefix: '/api' })
    .use(adminBase(deps))
    .get('/options', () => context.options.get(), { ...access('admin', { operationId: 'getOptions', tags, summary: 'Current system options' }), response: withErrors({ 200: SystemOptions }) })
    .patch('/options', async ({ actor, body }) => {
      const me = signedIn(actor)
      const problem = Value.Errors(SystemOptions, { ...context.options.get(), ...body }).First()
      if (problem) {
        const field = problem.path.split('/').filter(Boolean).join('.')
        throw new GatewayError(400, 'invalid_request', `${field}: ${problem.message}`, { param: field })
      }
      const updated = await context.options.update(body)
      context.logWriter.write({ type: 'manage', userId: me.id, username: me.username, content: `options changed: ${Object.keys(body).join(', ')}`, details: { changed: body } })
      return updated
    }, { ...access('admin', { operationId: 'updateOptions', tags, summary: 'Change system options' }), body: OptionsPatch, response: withErrors({ 200: SystemOptions }) })
}
