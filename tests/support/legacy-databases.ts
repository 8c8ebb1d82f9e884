import { Database as SqliteDatabase } from 'bun:sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'

// One API and New API databases for the importer's tests, built from DDL written after their public
// GORM models (column names and types as GORM's AutoMigrate creates them on each engine) and filled
// with realistic rows. see https://github.com/songquanpeng/one-api/tree/main/model and
// https://github.com/QuantumNous/new-api/tree/main/model (facts only).

/** Which project's schema. */
export type LegacyFlavour = 'one-api' | 'new-api'
/** Which engine holds it. */
export type LegacyEngine = 'sqlite' | 'mysql' | 'postgres'

/** Column kinds as GORM maps Go types: `id` is the auto-increment primary key; `json` is New API's `gorm:"type:json"`. */
type ColumnKind = 'id' | 'int' | 'bigint' | 'text' | 'string' | 'bool' | 'double' | 'datetime' | 'json'
type TableDefinition = { columns: Array<[string, ColumnKind]>; unique?: string[]; primaryKey?: string[] }
type Row = Record<string, string | number | boolean | null>

const column = (kind: ColumnKind, ...names: string[]): Array<[string, ColumnKind]> => names.map((name) => [name, kind])

const oneApiSchema: Record<string, TableDefinition> = {
  users: {
    columns: [
      ...column('id', 'id'),
      ...column('string', 'username', 'password', 'display_name'),
      ...column('int', 'role', 'status'),
      ...column('string', 'email', 'github_id', 'wechat_id', 'lark_id', 'oidc_id', 'access_token'),
      ...column('bigint', 'quota', 'used_quota'),
      ...column('int', 'request_count'),
      ...column('string', 'group', 'aff_code'),
      ...column('int', 'inviter_id'),
    ],
    unique: ['username'],
  },
  tokens: {
    columns: [
      ...column('id', 'id'),
      ...column('int', 'user_id'),
      ...column('string', 'key'),
      ...column('int', 'status'),
      ...column('string', 'name'),
      ...column('bigint', 'created_time', 'accessed_time', 'expired_time', 'remain_quota'),
      ...column('bool', 'unlimited_quota'),
      ...column('bigint', 'used_quota'),
      ...column('text', 'models', 'subnet'),
    ],
    unique: ['key'],
  },
  channels: {
    columns: [
      ...column('id', 'id'),
      ...column('int', 'type'),
      ...column('text', 'key'),
      ...column('int', 'status'),
      ...column('string', 'name'),
      ...column('int', 'weight'),
      ...column('bigint', 'created_time', 'test_time'),
      ...column('int', 'response_time'),
      ...column('text', 'base_url', 'other'),
      ...column('double', 'balance'),
      ...column('bigint', 'balance_updated_time'),
      ...column('text', 'models'),
      ...column('string', 'group'),
      ...column('bigint', 'used_quota'),
      ...column('string', 'model_mapping'),
      ...column('bigint', 'priority'),
      ...column('text', 'config', 'system_prompt'),
    ],
  },
  abilities: {
    columns: [...column('string', 'group', 'model'), ...column('int', 'channel_id'), ...column('bool', 'enabled'), ...column('bigint', 'priority')],
    primaryKey: ['group', 'model', 'channel_id'],
  },
  logs: {
    columns: [
      ...column('id', 'id'),
      ...column('int', 'user_id'),
      ...column('bigint', 'created_at'),
      ...column('int', 'type'),
      ...column('text', 'content'),
      ...column('string', 'username', 'token_name', 'model_name'),
      ...column('int', 'quota', 'prompt_tokens', 'completion_tokens', 'channel_id'),
      ...column('string', 'request_id'),
      ...column('bigint', 'elapsed_time'),
      ...column('bool', 'is_stream', 'system_prompt_reset'),
    ],
  },
  options: { columns: [...column('string', 'key'), ...column('text', 'value')], primaryKey: ['key'] },
  redemptions: {
    columns: [
      ...column('id', 'id'),
      ...column('int', 'user_id'),
      ...column('string', 'key'),
      ...column('int', 'status'),
      ...column('string', 'name'),
      ...column('bigint', 'quota', 'created_time', 'redeemed_time'),
    ],
    unique: ['key'],
  },
}

const newApiSchema: Record<string, TableDefinition> = {
  users: {
    columns: [
      ...column('id', 'id'),
      ...column('string', 'username', 'password', 'display_name'),
      ...column('int', 'role', 'status'),
      ...column('string', 'email', 'github_id', 'discord_id', 'oidc_id', 'wechat_id', 'telegram_id', 'access_token'),
      ...column('int', 'quota', 'used_quota', 'request_count'),
      ...column('string', 'group', 'aff_code'),
      ...column('int', 'aff_count', 'aff_quota', 'aff_history', 'inviter_id'),
      ...column('datetime', 'deleted_at'),
      ...column('string', 'linux_do_id'),
      ...column('text', 'setting'),
      ...column('string', 'remark', 'stripe_customer'),
      ...column('bigint', 'created_at', 'last_login_at'),
    ],
    unique: ['username'],
  },
  tokens: {
    columns: [
      ...column('id', 'id'),
      ...column('int', 'user_id'),
      ...column('string', 'key'),
      ...column('int', 'status'),
      ...column('string', 'name'),
      ...column('bigint', 'created_time', 'accessed_time', 'expired_time'),
      ...column('int', 'remain_quota'),
      ...column('bool', 'unlimited_quota', 'model_limits_enabled'),
      ...column('text', 'model_limits', 'allow_ips'),
      ...column('int', 'used_quota'),
      ...column('string', 'group'),
      ...column('bool', 'cross_group_retry'),
      ...column('datetime', 'deleted_at'),
    ],
    unique: ['key'],
  },
  channels: {
    columns: [
      ...column('id', 'id'),
      ...column('int', 'type'),
      ...column('text', 'key', 'openai_organization', 'test_model'),
      ...column('int', 'status'),
      ...column('string', 'name'),
      ...column('int', 'weight'),
      ...column('bigint', 'created_time', 'test_time'),
      ...column('int', 'response_time'),
      ...column('text', 'base_url', 'other'),
      ...column('double', 'balance'),
      ...column('bigint', 'balance_updated_time'),
      ...column('text', 'models'),
      ...column('string', 'group'),
      ...column('bigint', 'used_quota'),
      ...column('text', 'model_mapping'),
      ...column('string', 'status_code_mapping'),
      ...column('bigint', 'priority'),
      ...column('int', 'auto_ban'),
      ...column('text', 'other_info', 'tag', 'setting', 'param_override', 'header_override'),
      ...column('string', 'remark'),
      ...column('json', 'channel_info'),
      ...column('text', 'settings'),
    ],
  },
  abilities: {
    columns: [
      ...column('string', 'group', 'model'),
      ...column('int', 'channel_id'),
      ...column('bool', 'enabled'),
      ...column('bigint', 'priority'),
      ...column('int', 'weight'),
      ...column('string', 'tag'),
    ],
    primaryKey: ['group', 'model', 'channel_id'],
  },
  logs: {
    columns: [
      ...column('id', 'id'),
      ...column('int', 'user_id'),
      ...column('bigint', 'created_at'),
      ...column('int', 'type'),
      ...column('text', 'content'),
      ...column('string', 'username', 'token_name', 'model_name'),
      ...column('int', 'quota', 'prompt_tokens', 'completion_tokens', 'use_time'),
      ...column('bool', 'is_stream'),
      ...column('int', 'channel_id', 'token_id'),
      ...column('string', 'group', 'ip'),
      ...column('text', 'other'),
    ],
  },
  options: { columns: [...column('string', 'key'), ...column('text', 'value')], primaryKey: ['key'] },
  redemptions: {
    columns: [
      ...column('id', 'id'),
      ...column('int', 'user_id'),
      ...column('string', 'key'),
      ...column('int', 'status'),
      ...column('string', 'name'),
      ...column('int', 'quota'),
      ...column('bigint', 'created_time', 'redeemed_time'),
      ...column('int', 'used_user_id'),
      ...column('datetime', 'deleted_at'),
      ...column('bigint', 'expired_time'),
    ],
    unique: ['key'],
  },
  top_ups: {
    columns: [
      ...column('id', 'id'),
      ...column('int', 'user_id'),
      ...column('bigint', 'amount'),
      ...column('double', 'money'),
      ...column('string', 'trade_no', 'payment_method'),
      ...column('bigint', 'create_time', 'complete_time'),
      ...column('string', 'status'),
    ],
    unique: ['trade_no'],
  },
}

/** GORM's column types per engine (string → varchar(191) on MySQL, text elsewhere; int → bigint). */
const TYPES: Record<LegacyEngine, Record<ColumnKind, string>> = {
  sqlite: {
    id: 'integer primary key autoincrement',
    int: 'integer',
    bigint: 'integer',
    text: 'text',
    string: 'text',
    bool: 'numeric',
    double: 'real',
    datetime: 'datetime',
    json: 'json',
  },
  mysql: {
    id: 'bigint auto_increment primary key',
    int: 'bigint',
    bigint: 'bigint',
    text: 'longtext',
    string: 'varchar(191)',
    bool: 'tinyint(1)',
    double: 'double',
    datetime: 'datetime(3)',
    json: 'json',
  },
  postgres: {
    id: 'bigserial primary key',
    int: 'bigint',
    bigint: 'bigint',
    text: 'text',
    string: 'text',
    bool: 'boolean',
    double: 'decimal',
    datetime: 'timestamptz',
    json: 'json',
  },
}

/** The CREATE TABLE statements of a flavour on an engine. */
export function legacyDdl(flavour: LegacyFlavour, engine: LegacyEngine): string[] {
  const quote = (name: string) => (engine === 'mysql' ? `\`${name}\`` : `"${name}"`)
  const schema = flavour === 'one-api' ? oneApiSchema : newApiSchema
  return Object.entries(schema).flatMap(([table, definition]) => {
    const columns = definition.columns.map(([name, kind]) => `${quote(name)} ${TYPES[engine][kind]}`)
    if (definition.primaryKey) columns.push(`primary key (${definition.primaryKey.map(quote).join(', ')})`)
    const statements = [`create table ${quote(table)} (${columns.join(', ')})`]
    for (const name of definition.unique ?? []) statements.push(`create unique index ${quote(`idx_${table}_${name}`)} on ${quote(table)} (${quote(name)})`)
    return statements
  })
}

/** Fixed facts the tests check against: keys, codes, ratios, the upstream the first channel points at. */
export interface LegacyFacts {
  /** The key (as stored, without `sk-`) of alice's main token. */
  aliceKey: string
  aliceLimitedKey: string
  unusedCode: string
  usedCode: string
  alicePassword: string
  upstreamKey: string
  upstreamUrl: string
}

/** Realistic rows for a flavour; `upstreamUrl` is where the OpenAI channel points (a fake upstream). */
export async function legacyRows(flavour: LegacyFlavour, upstreamUrl: string): Promise<{ rows: Record<string, Row[]>; facts: LegacyFacts }> {
  const newApi = flavour === 'new-api'
  const facts: LegacyFacts = {
    aliceKey: `${newApi ? 'N' : 'O'}Ab3kZ9qLm2Xv7Rt4Yp8Wc1Df6Gh0Js5Kn3Mb7Vc2Xz9Lq4`,
    aliceLimitedKey: `${newApi ? 'N' : 'O'}Lim1tedKeyForIpAndModels000000000000000000000000`.slice(0, 48),
    unusedCode: `${newApi ? 'n' : 'o'}3f9c1a7e5b2d4086a1c3e5f7b9d2e4a`.slice(0, 32),
    usedCode: `${newApi ? 'n' : 'o'}0aa1bb2cc3dd4ee5ff6a7b8c9d0e1f2`.slice(0, 32),
    alicePassword: 'alice-password-1',
    upstreamKey: 'sk-upstream-imported',
    upstreamUrl,
  }
  // Go's bcrypt writes $2a$ hashes; Bun writes $2b$: the same algorithm.
  const aliceHash = (await Bun.password.hash(facts.alicePassword, { algorithm: 'bcrypt', cost: 4 })).replace(/^\$2b\$/, '$2a$')
  const otherHash = (await Bun.password.hash('someone-else-9', { algorithm: 'bcrypt', cost: 4 })).replace(/^\$2b\$/, '$2a$')
  const t0 = 1_735_689_600 // 2025-01-01
  const users: Row[] = [
    {
      id: 1,
      username: 'root',
      password: otherHash,
      display_name: 'Root User',
      role: 100,
      status: 1,
      email: '',
      quota: 100_000_000,
      used_quota: 0,
      request_count: 0,
      group: 'default',
      aff_code: 'root',
    },
    {
      id: 2,
      username: 'alice',
      password: aliceHash,
      display_name: 'Alice',
      role: 1,
      status: 1,
      email: 'alice@example.com',
      github_id: '583231',
      quota: 25_000_000,
      used_quota: 1_234_567,
      request_count: 321,
      group: 'vip',
      aff_code: 'AL1C',
    },
    {
      id: 3,
      username: 'bob',
      password: otherHash,
      display_name: 'Bob Ops',
      role: 10,
      status: 1,
      email: 'bob@example.com',
      wechat_id: 'wx-bob-77',
      quota: 2_000_000_000,
      used_quota: 48_000,
      request_count: 12,
      group: 'default',
      aff_code: 'B0B0',
      ...(newApi ? { discord_id: '80351110224678912', telegram_id: '99119911' } : { oidc_id: 'oidc|bob' }),
    },
    {
      id: 4,
      username: 'carol',
      password: otherHash,
      display_name: 'Carol',
      role: 1,
      status: 2,
      email: 'Carol@Example.com',
      quota: 0,
      used_quota: 500_000,
      request_count: 40,
      group: 'default',
      aff_code: 'CAR0',
    },
  ]
  if (newApi)
    users.push({
      id: 5,
      username: 'dave',
      password: otherHash,
      display_name: 'Dave',
      role: 1,
      status: 1,
      email: 'dave@example.com',
      quota: 10,
      used_quota: 0,
      request_count: 0,
      group: 'default',
      aff_code: 'DAV3',
      deleted_at: '2025-03-01 10:00:00',
      created_at: t0,
    })
  if (newApi) for (const user of users) user.created_at ??= t0 + Number(user.id) * 86_400

  const limited: Row = newApi
    ? { model_limits_enabled: true, model_limits: 'gpt-4o-mini,gpt-4o', allow_ips: '10.0.0.0/8\n192.168.1.10' }
    : { models: 'gpt-4o-mini,gpt-4o', subnet: '10.0.0.0/8,192.168.1.10' }
  const tokens: Row[] = [
    {
      id: 1,
      user_id: 2,
      key: facts.aliceKey,
      status: 1,
      name: 'chat app',
      created_time: t0,
      accessed_time: t0 + 3600,
      expired_time: -1,
      remain_quota: 10_000_000,
      unlimited_quota: false,
      used_quota: 250_000,
    },
    {
      id: 2,
      user_id: 2,
      key: facts.aliceLimitedKey,
      status: 1,
      name: 'office only',
      created_time: t0,
      accessed_time: 0,
      expired_time: -1,
      remain_quota: 500_000,
      unlimited_quota: false,
      used_quota: 0,
      ...limited,
    },
    {
      id: 3,
      user_id: 3,
      key: `${newApi ? 'N' : 'O'}B0bUnlimitedBatchKey0000000000000000000000000000`.slice(0, 48),
      status: 2,
      name: 'batch',
      created_time: t0,
      accessed_time: 0,
      expired_time: 1_893_456_000,
      remain_quota: 0,
      unlimited_quota: true,
      used_quota: 48_000,
    },
  ]
  if (newApi)
    tokens.push({
      id: 4,
      user_id: 2,
      key: 'NDeletedKey00000000000000000000000000000000000000'.slice(0, 48),
      status: 1,
      name: 'old',
      created_time: t0,
      expired_time: -1,
      remain_quota: 5,
      unlimited_quota: false,
      used_quota: 0,
      deleted_at: '2025-02-01 00:00:00',
    })

  const channels: Row[] = [
    {
      id: 1,
      type: 1,
      key: facts.upstreamKey,
      status: 1,
      name: 'openai primary',
      weight: 5,
      created_time: t0,
      base_url: upstreamUrl,
      models: 'gpt-4o-mini,gpt-4o',
      group: 'default,vip',
      used_quota: 999_999,
      model_mapping: '{"gpt-4o-mini":"gpt-4o-mini-2024-07-18","gpt-4o":"gpt-4o"}',
      priority: 10,
    },
    {
      id: 2,
      type: 3,
      key: 'azure-key-east-1',
      status: 2,
      name: 'azure east',
      weight: 0,
      created_time: t0,
      base_url: 'https://east.openai.azure.com',
      other: '2024-10-21',
      models: 'gpt-4o',
      group: 'default',
      used_quota: 0,
      model_mapping: '',
      priority: 0,
    },
    {
      id: 3,
      type: 14,
      key: newApi ? 'sk-ant-key-one\nsk-ant-key-two' : 'sk-ant-key-one',
      status: 3,
      name: 'anthropic',
      weight: 1,
      created_time: t0,
      base_url: '',
      models: 'claude-sonnet-4-5',
      group: 'vip',
      used_quota: 12_345,
      priority: 5,
    },
    {
      id: 4,
      type: 15,
      key: 'baidu-ak|baidu-sk',
      status: 1,
      name: 'ernie',
      weight: 1,
      created_time: t0,
      base_url: '',
      models: 'ERNIE-4.0',
      group: 'default',
      used_quota: 0,
      priority: 0,
    },
    // DeepSeek is 36 in One API and 43 in New API; the other number means Proxy (One API) / Suno (New API).
    {
      id: 5,
      type: newApi ? 43 : 36,
      key: 'sk-deepseek-0001',
      status: 1,
      name: 'deepseek',
      weight: 1,
      created_time: t0,
      base_url: '',
      models: 'deepseek-chat',
      group: 'default',
      used_quota: 0,
      priority: 0,
    },
    {
      id: 6,
      type: newApi ? 36 : 43,
      key: 'other-key',
      status: 1,
      name: newApi ? 'suno' : 'proxy',
      weight: 1,
      created_time: t0,
      base_url: 'https://proxy.example.com',
      models: 'suno_music',
      group: 'default',
      used_quota: 0,
      priority: 0,
    },
  ]
  if (newApi) {
    Object.assign(channels[0]!, {
      status_code_mapping: '{"400":"500"}',
      tag: 'openai',
      openai_organization: 'org-imported',
      channel_info: '{"is_multi_key":false,"multi_key_size":0,"multi_key_mode":"random"}',
    })
    Object.assign(channels[2]!, {
      channel_info: '{"is_multi_key":true,"multi_key_size":2,"multi_key_status_list":{},"multi_key_polling_index":0,"multi_key_mode":"polling"}',
      status_code_mapping: '{"529":503}',
    })
  }
  const abilities: Row[] = channels.flatMap((channel) =>
    String(channel.group)
      .split(',')
      .flatMap((group) =>
        String(channel.models)
          .split(',')
          .map(
            (model) =>
              ({
                group,
                model,
                channel_id: channel.id!,
                enabled: channel.status === 1,
                priority: channel.priority!,
                ...(newApi ? { weight: channel.weight! } : {}),
              }) satisfies Row,
          ),
      ),
  )
  const options: Row[] = [
    { key: 'ModelRatio', value: JSON.stringify({ 'gpt-4o-mini': 0.075, 'gpt-4o': 1.25, 'deepseek-chat': 0.135 }) },
    { key: 'CompletionRatio', value: JSON.stringify({ 'gpt-4o-mini': 4, 'gpt-4o': 4 }) },
    { key: 'GroupRatio', value: JSON.stringify({ default: 1, vip: 0.8, svip: 0.6 }) },
    { key: 'QuotaPerUnit', value: '500000' },
    { key: 'QuotaForNewUser', value: '200000' },
    { key: 'SMTPServer', value: 'smtp.example.com' },
    { key: 'TopUpLink', value: 'https://shop.example.com' },
  ]
  if (newApi) options.push({ key: 'ModelPrice', value: JSON.stringify({ 'dall-e-3': 0.04, mj_imagine: 0.1 }) })
  const redemptions: Row[] = [
    {
      id: 1,
      user_id: 1,
      key: facts.unusedCode,
      status: 1,
      name: 'spring promo',
      quota: 1_000_000,
      created_time: t0,
      redeemed_time: 0,
      ...(newApi ? { used_user_id: 0, expired_time: 0 } : {}),
    },
    {
      id: 2,
      user_id: 1,
      key: facts.usedCode,
      status: 3,
      name: 'spring promo',
      quota: 1_000_000,
      created_time: t0,
      redeemed_time: t0 + 7200,
      ...(newApi ? { used_user_id: 2, expired_time: 0 } : {}),
    },
    {
      id: 3,
      user_id: 1,
      key: `${newApi ? 'n' : 'o'}disabledcode0000000000000000000`.slice(0, 32),
      status: 2,
      name: 'revoked',
      quota: 50,
      created_time: t0,
      redeemed_time: 0,
    },
  ]
  const logs: Row[] = [1, 2, 3].map((id) => ({
    id,
    user_id: 2,
    created_at: t0 + id * 60,
    type: 2,
    content: 'model ratio 0.075, completion ratio 4, group ratio 0.8',
    username: 'alice',
    token_name: 'chat app',
    model_name: 'gpt-4o-mini',
    quota: 210,
    prompt_tokens: 1234,
    completion_tokens: 567,
    channel_id: 1,
    is_stream: id === 2,
    ...(newApi
      ? { use_time: 2, token_id: 1, group: 'vip', ip: '203.0.113.7', other: '{"model_ratio":0.075,"group_ratio":0.8}' }
      : { elapsed_time: 1850, request_id: `req-${id}` }),
  }))
  const rows: Record<string, Row[]> = { users, tokens, channels, abilities, options, redemptions, logs }
  if (newApi)
    rows.top_ups = [
      {
        id: 1,
        user_id: 2,
        amount: 10,
        money: 73.5,
        trade_no: 'USR2NO1735',
        payment_method: 'alipay',
        create_time: t0,
        complete_time: t0 + 30,
        status: 'success',
      },
      { id: 2, user_id: 2, amount: 20, money: 147, trade_no: 'USR2NO1736', payment_method: 'stripe', create_time: t0, complete_time: 0, status: 'pending' },
    ]
  return { rows, facts }
}

/** A built source database: the `--from` value and how to remove it. */
export interface LegacySource {
  from: string
  drop(): Promise<void>
}

/** Creates a database of the flavour on the engine, fills it, and returns its `--from` value. */
export async function buildLegacySource(flavour: LegacyFlavour, engine: LegacyEngine, rows: Record<string, Row[]>): Promise<LegacySource> {
  const ddl = legacyDdl(flavour, engine)
  const inserts = Object.entries(rows).flatMap(([table, list]) => list.map((row) => ({ table, row })))
  const quote = (name: string) => (engine === 'mysql' ? `\`${name}\`` : `"${name}"`)
  const statement = (table: string, row: Row, placeholder: (index: number) => string) =>
    `insert into ${quote(table)} (${Object.keys(row).map(quote).join(', ')}) values (${Object.keys(row)
      .map((_, index) => placeholder(index))
      .join(', ')})`
  const plain = (row: Row) => Object.values(row).map((value) => (typeof value === 'boolean' ? (value ? 1 : 0) : value))

  if (engine === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'legacy-source-'))
    const file = join(directory, `${flavour}.db`)
    const database = new SqliteDatabase(file)
    for (const sql of ddl) database.run(sql)
    for (const { table, row } of inserts) database.query(statement(table, row, () => '?')).run(...(plain(row) as Array<string | number | null>))
    database.close()
    return { from: file, drop: async () => rmSync(directory, { recursive: true, force: true }) }
  }
  const name = `legacy_${flavour.replace('-', '_')}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`
  if (engine === 'mysql') {
    const serverUrl = process.env.TEST_MYSQL_URL!
    const admin = new Bun.SQL(serverUrl, { max: 1 })
    await admin.unsafe(`create database ${name}`)
    const url = serverUrl.replace(/\/[^/?]*(\?|$)/, `/${name}$1`)
    const sql = new Bun.SQL(url, { max: 1 })
    for (const text of ddl) await sql.unsafe(text)
    for (const { table, row } of inserts)
      await sql.unsafe(
        statement(table, row, () => '?'),
        plain(row),
      )
    await sql.close()
    return {
      from: url,
      drop: async () => {
        await admin.unsafe(`drop database ${name}`)
        await admin.close()
      },
    }
  }
  const serverUrl = process.env.TEST_DATABASE_URL!
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  const url = serverUrl.replace(/\/[^/?]*(\?|$)/, `/${name}$1`)
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  for (const text of ddl) await sql.unsafe(text)
  for (const { table, row } of inserts)
    await sql.unsafe(
      statement(table, row, (index) => `$${index + 1}`),
      Object.values(row) as never[],
    )
  await sql.end()
  return {
    from: url,
    drop: async () => {
      await admin.unsafe(`drop database ${name} with (force)`)
      await admin.end()
    },
  }
}

/**
 * A database of its own on the test PostgreSQL server (TEST_DATABASE_URL), so a suite that counts rows
 * is not disturbed by other suites emptying the shared test database; undefined without the server.
 */
export async function privatePostgresDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const serverUrl = process.env.TEST_DATABASE_URL
  if (!serverUrl) return undefined
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  return {
    url: serverUrl.replace(/\/[^/?]*(\?|$)/, `/${name}$1`),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`)
      await admin.end()
    },
  }
}
