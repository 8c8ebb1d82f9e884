// Log texts the server writes in English (sign-ins, admin actions, system events), put in the
// dashboard's language at display: each known wording is matched whole, its values (names, ids,
// amounts) taken out and put into the translated message (i18n/messages/log-events.ts). A text no
// pattern knows — a newer server's, an upstream's error — is shown as stored.

/** What translating needs from vue-i18n and the money formatter. */
export interface LogTextTools {
  t: (key: string, named?: Record<string, unknown>, plural?: number) => string
  /** Quota units as dollars. */
  money: (units: number) => string
}

/** One known wording: the pattern of the whole English text and how its captures become the message. */
interface LogTextRule {
  pattern: RegExp
  render: (match: RegExpExecArray, tools: LogTextTools) => string
}

/** The server's wording of "password" as a sign-in method, or a provider's own name. */
function method(value: string, tools: LogTextTools): string {
  return value === 'password' ? tools.t('logEvents.password') : value
}

/** Capture `index` of a match (always present when the pattern matched). */
function part(match: RegExpExecArray, index: number): string {
  return match[index] ?? ''
}

/** A plain message whose named captures are the message's parameters. */
function plain(key: string, names: readonly string[] = []): LogTextRule['render'] {
  return (match, tools) => tools.t(key, Object.fromEntries(names.map((name, index) => [name, part(match, index + 1)])))
}

/** Batch actions as the server words them → message keys (literal, so the message test checks them). */
const BATCH_ACTIONS: Record<string, string> = {
  enabled: 'logEvents.batch.enabled',
  disabled: 'logEvents.batch.disabled',
  deleted: 'logEvents.batch.deleted',
  tagged: 'logEvents.batch.tagged',
  untagged: 'logEvents.batch.untagged',
  'given a new priority': 'logEvents.batch.priority',
  'given a new weight': 'logEvents.batch.weight',
}

// Patterns follow the server's wording in core/ (bootstrap.ts, admin/*.ts, routing/channel-health.ts,
// billing/ledger.ts, billing/redis-ledger.ts); a " (session cookie)" ending is handled apart.
const RULES: LogTextRule[] = [
  { pattern: /^root user created on first boot$/, render: plain('logEvents.rootCreated') },
  { pattern: /^access token "(.*)" \((\w+)\) created$/, render: plain('logEvents.accessTokenCreated', ['name', 'scope']) },
  { pattern: /^password changed; other sessions signed out$/, render: plain('logEvents.passwordChanged') },
  { pattern: /^first-run setup: root password replaced$/, render: plain('logEvents.setupDone') },
  { pattern: /^first-run setup: root password replaced, username (.*) → (.*)$/, render: plain('logEvents.setupDoneRenamed', ['from', 'to']) },
  { pattern: /^signed in with first-run setup$/, render: plain('logEvents.signedInSetup') },
  { pattern: /^sign-in settings changed: (.*)$/, render: plain('logEvents.signInSettingsChanged', ['fields']) },
  {
    pattern: /^quota (set to|changed by) (-?\d+) by (.+?)(?:: (.*))?$/s,
    render: (match, tools) => {
      const named = { amount: tools.money(Number(part(match, 2))), actor: part(match, 3) }
      const text = part(match, 1) === 'set to' ? tools.t('logEvents.quotaSet', named) : tools.t('logEvents.quotaChanged', named)
      return match[4] ? `${text} · ${tools.t('logEvents.reason', { reason: match[4] })}` : text
    },
  },
  {
    pattern: /^recovery code used; (\d+) left$/,
    render: (match, tools) => tools.t('logEvents.recoveryCodeUsed', { count: Number(part(match, 1)) }, Number(part(match, 1))),
  },
  { pattern: /^two-factor sign-in turned on$/, render: plain('logEvents.twoFactorOn') },
  { pattern: /^two-factor sign-in turned off$/, render: plain('logEvents.twoFactorOff') },
  {
    pattern: /^signed in with (.+) and a two-factor code$/,
    render: (match, tools) => tools.t('logEvents.signedInTwoFactor', { method: method(part(match, 1), tools) }),
  },
  { pattern: /^options changed: (.*)$/, render: plain('logEvents.optionsChanged', ['fields']) },
  { pattern: /^user (\d+) "(.*)" registered through (.+)$/, render: plain('logEvents.userRegisteredThrough', ['id', 'name', 'method']) },
  { pattern: /^user (\d+) "(.*)" registered$/, render: plain('logEvents.userRegistered', ['id', 'name']) },
  { pattern: /^signed in after registering$/, render: plain('logEvents.signedInAfterRegistering') },
  { pattern: /^(.+) account "(.*)" linked$/, render: plain('logEvents.accountLinked', ['method', 'login']) },
  { pattern: /^(.+) account "(.*)" unlinked$/, render: plain('logEvents.accountUnlinked', ['method', 'login']) },
  { pattern: /^signed in with (.+)$/, render: (match, tools) => tools.t('logEvents.signedInWith', { method: method(part(match, 1), tools) }) },
  {
    pattern: /^(\d+) redemption code\(s\) "(.*)" of (\d+) units created$/s,
    render: (match, tools) => {
      const count = Number(part(match, 1))
      return tools.t('logEvents.redemptionsCreated', { count, name: part(match, 2), amount: tools.money(Number(part(match, 3))) }, count)
    },
  },
  { pattern: /^redemption code (\d+) disabled$/, render: plain('logEvents.redemptionDisabled', ['id']) },
  { pattern: /^redemption code (\d+) re-enabled$/, render: plain('logEvents.redemptionEnabled', ['id']) },
  { pattern: /^redemption code (\d+) deleted$/, render: plain('logEvents.redemptionDeleted', ['id']) },
  {
    pattern: /^redeemed code (\d+) for (\d+) units$/,
    render: (match, tools) => tools.t('logEvents.redeemed', { id: part(match, 1), amount: tools.money(Number(part(match, 2))) }),
  },
  { pattern: /^channel (\d+) "(.*)" created$/s, render: plain('logEvents.channelCreated', ['id', 'name']) },
  { pattern: /^channel (\d+) "(.*)" updated$/s, render: plain('logEvents.channelUpdated', ['id', 'name']) },
  { pattern: /^channel (\d+) "(.*)" deleted$/s, render: plain('logEvents.channelDeleted', ['id', 'name']) },
  {
    pattern: /^channel (\d+) "(.*)" (enabled|disabled|deleted|tagged|untagged|given a new priority|given a new weight) \(batch\)$/s,
    render: (match, tools) =>
      tools.t('logEvents.channelBatch', {
        id: part(match, 1),
        name: part(match, 2),
        action: tools.t(BATCH_ACTIONS[part(match, 3)] ?? 'logEvents.batch.enabled'),
      }),
  },
  { pattern: /^channel (\d+) "(.*)" keys revealed to (.+)$/s, render: plain('logEvents.channelKeysRevealed', ['id', 'name', 'user']) },
  { pattern: /^channel (\d+) "(.*)" auto-disabled: (.*)$/s, render: plain('logEvents.channelAutoDisabled', ['id', 'name', 'reason']) },
  {
    pattern: /^channel (\d+) "(.*)": key (\d+) of (\d+) auto-disabled: (.*)$/s,
    render: plain('logEvents.channelKeyAutoDisabled', ['id', 'name', 'key', 'keys', 'reason']),
  },
  { pattern: /^channel (\d+) re-enabled: (.*)$/s, render: plain('logEvents.channelReEnabled', ['id', 'reason']) },
  // core/routing/balance-refresh.ts: a channel's balance crossing its threshold (amounts are "<number> <currency>").
  {
    pattern: /^channel (\d+) "(.*)": balance (\S+ \S+) is below the threshold (\S+ \S+)$/s,
    render: plain('logEvents.balanceLow', ['id', 'name', 'amount', 'threshold']),
  },
  {
    pattern: /^channel (\d+) "(.*)": balance (\S+ \S+) is back at or above the threshold (\S+ \S+)$/s,
    render: plain('logEvents.balanceRecovered', ['id', 'name', 'amount', 'threshold']),
  },
  { pattern: /^channel (\d+) "(.*)": balance (\S+ \S+) is no longer flagged$/s, render: plain('logEvents.balanceUnflagged', ['id', 'name', 'amount']) },
  {
    pattern: /^channel (\d+) "(.*)": the upstream says the account cannot be used \(balance (\S+ \S+)\)$/s,
    render: plain('logEvents.balanceUnusable', ['id', 'name', 'amount']),
  },
  { pattern: /^user (\d+) "(.*)" created$/s, render: plain('logEvents.userCreated', ['id', 'name']) },
  { pattern: /^user (\d+) "(.*)" updated: (.*)$/s, render: plain('logEvents.userUpdated', ['id', 'name', 'fields']) },
  { pattern: /^user (\d+) "(.*)" deleted$/s, render: plain('logEvents.userDeleted', ['id', 'name']) },
  { pattern: /^user (\d+) "(.*)" password reset$/s, render: plain('logEvents.userPasswordReset', ['id', 'name']) },
  { pattern: /^group "(.*)" set: ratio (.+)$/, render: plain('logEvents.groupSet', ['name', 'ratio']) },
  { pattern: /^group "(.*)" deleted$/, render: plain('logEvents.groupDeleted', ['name']) },
  { pattern: /^price of "(.*)" overridden \(USD\)$/, render: plain('logEvents.priceOverriddenUsd', ['model']) },
  { pattern: /^price of "(.*)" overridden \(ratios\)$/, render: plain('logEvents.priceOverriddenRatios', ['model']) },
  { pattern: /^price override of "(.*)" removed$/, render: plain('logEvents.priceOverrideRemoved', ['model']) },
  {
    pattern: /^released (\d+) units held by (\d+) calls of replica (.+), which stopped without settling them$/,
    render: (match, tools) => {
      const count = Number(part(match, 2))
      return tools.t('logEvents.ledgerReleased', { amount: tools.money(Number(part(match, 1))), count, replica: part(match, 3) }, count)
    },
  },
  {
    pattern: /^(\d+) charges \((\d+) units\) journaled before an unclean stop were written on start-up$/,
    render: (match, tools) => {
      const count = Number(part(match, 1))
      return tools.t('logEvents.ledgerReplayed', { count, amount: tools.money(Number(part(match, 2))) }, count)
    },
  },
]

const SESSION_COOKIE = ' (session cookie)'

/** A server-written text in the dashboard's language, or undefined when the wording is not one the server writes. */
export function translateLogText(content: string, tools: LogTextTools): string | undefined {
  const cookie = content.endsWith(SESSION_COOKIE)
  const text = cookie ? content.slice(0, -SESSION_COOKIE.length) : content
  for (const rule of RULES) {
    const match = rule.pattern.exec(text)
    if (match) return cookie ? `${rule.render(match, tools)} ${tools.t('logEvents.sessionCookie')}` : rule.render(match, tools)
  }
  return undefined
}

/** The translated text of a row the server wrote (sign-in, admin and system rows); undefined for others. */
export function readLogText(row: { type?: string; content: string | null }, tools: LogTextTools): string | undefined {
  if (!row.content || row.type === 'consume' || row.type === 'error') return undefined
  return translateLogText(row.content, tools)
}
