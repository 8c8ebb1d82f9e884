import { count, isNotNull, sql } from 'drizzle-orm'
import type { AppContext } from '../../app-context.ts'
import { queryRows } from '../../db/client.ts'
import { channels, tokens, users } from '../../db/schema.ts'
import { GatewayError } from '../../errors.ts'
import type { SystemOptionValues } from '../../options.ts'
import type { GroupPut, GroupView } from '../../../schemas/admin/groups.ts'
import type { Actor } from '../../http/actor.ts'
import { editOptions, withoutKey } from '../options/option-edits.ts'

/** The group every user and channel starts in; it always exists. */
export const DEFAULT_GROUP = 'default'

/** How many users, channels and API keys use each group. */
interface GroupUsage {
  users: Map<string, number>
  channels: Map<string, number>
  tokens: Map<string, number>
}

async function loadUsage(context: AppContext): Promise<GroupUsage> {
  const db = context.database.db
  const [userRows, tokenRows, channelResult] = await Promise.all([
    db.select({ group: users.group, value: count() }).from(users).groupBy(users.group),
    db.select({ group: tokens.group, value: count() }).from(tokens).where(isNotNull(tokens.group)).groupBy(tokens.group),
    db.execute(sql`select served.name, count(*) as value from ${channels}, jsonb_array_elements_text(${channels.groups}) as served(name) group by served.name`),
  ])
  return {
    users: new Map(userRows.map((row) => [row.group, row.value])),
    tokens: new Map(tokenRows.map((row) => [row.group ?? '', row.value])),
    channels: new Map(queryRows<{ name: string; value: string | number }>(channelResult).map((row) => [row.name, Number(row.value)])),
  }
}

/** Every group name known from the options and from what users, keys and channels use, by name. */
export function knownGroups(options: SystemOptionValues, usage: GroupUsage): string[] {
  const names = new Set([DEFAULT_GROUP, ...Object.keys(options.groupRatios), ...Object.keys(options.groupDescriptions)])
  for (const map of [usage.users, usage.channels, usage.tokens]) for (const name of map.keys()) names.add(name)
  return [...names].sort()
}

/** One group's view from the options and the usage counts. */
export function toGroupView(name: string, options: SystemOptionValues, usage: GroupUsage): GroupView {
  return {
    name,
    ratio: options.groupRatios[name] ?? 1,
    description: options.groupDescriptions[name] ?? '',
    userCount: usage.users.get(name) ?? 0,
    channelCount: usage.channels.get(name) ?? 0,
    tokenCount: usage.tokens.get(name) ?? 0,
  }
}

/** Groups and their price ratios, stored in the `groupRatios` and `groupDescriptions` options. */
export function createGroupService(context: AppContext) {
  function audit(actor: Actor, content: string, details: Record<string, unknown>): void {
    context.logWriter.write({ type: 'manage', userId: actor.id, username: actor.username, content, details })
  }

  return {
    /** Every known group with its ratio, description and usage. */
    async list(): Promise<GroupView[]> {
      const usage = await loadUsage(context)
      const options = context.options.get()
      return knownGroups(options, usage).map((name) => toGroupView(name, options, usage))
    },

    /** Creates or replaces a group's ratio and description. */
    async put(actor: Actor, name: string, body: GroupPut): Promise<GroupView> {
      const options = await editOptions(context.options, (current) => ({
        groupRatios: { ...current.groupRatios, [name]: body.ratio },
        groupDescriptions: body.description ? { ...current.groupDescriptions, [name]: body.description } : withoutKey(current.groupDescriptions, name),
      }))
      audit(actor, `group "${name}" set: ratio ${body.ratio}`, { group: name, ratio: body.ratio, description: body.description ?? null })
      return toGroupView(name, options, await loadUsage(context))
    },

    /** Forgets a group; refused for `default` and while users, channels or API keys use it. */
    async remove(actor: Actor, name: string): Promise<void> {
      if (name === DEFAULT_GROUP) throw new GatewayError(400, 'invalid_request', 'name: the default group cannot be deleted', { param: 'name' })
      const usage = await loadUsage(context)
      if (!knownGroups(context.options.get(), usage).includes(name)) throw new GatewayError(404, 'not_found', `Group "${name}" does not exist`)
      const view = toGroupView(name, context.options.get(), usage)
      if (view.userCount + view.channelCount + view.tokenCount > 0) {
        throw new GatewayError(
          409,
          'conflict',
          `Group "${name}" is in use by ${view.userCount} user(s), ${view.channelCount} channel(s) and ${view.tokenCount} API key(s); move them to another group first`,
        )
      }
      await editOptions(context.options, (current) => ({
        groupRatios: withoutKey(current.groupRatios, name),
        groupDescriptions: withoutKey(current.groupDescriptions, name),
      }))
      audit(actor, `group "${name}" deleted`, { group: name })
    },
  }
}
