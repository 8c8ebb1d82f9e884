// Reads the price breakdown the relay stores in a usage log's `details` (core/relay/settle.ts) into
// a typed shape the detail drawer can put in words. Anything missing or of the wrong type is left
// out, so older rows and other log types (errors, top-ups) show what they have.

/** USD prices as the plugin or override set them. */
export interface PriceView {
  inputPerMTok?: number
  outputPerMTok?: number
  cacheReadPerMTok?: number
  cacheWritePerMTok?: number
  perCall?: number
}

/** Token counts the charge was based on (input is the uncached part). */
export interface TokensView {
  input: number
  cacheRead: number
  cacheWrite: number
  output: number
  reasoning: number
}

/** One term of the cost formula: tokens × USD per 1M tokens. */
export interface FormulaTerm {
  kind: 'input' | 'cacheRead' | 'cacheWrite' | 'output'
  tokens: number
  ratePerMTok: number
  /** The rate is not set on the price; it comes from the input price (the gateway's default). */
  derived: boolean
}

/** What a log's details say about its price. */
export interface BreakdownView {
  outcome?: string
  usageSource?: string
  price?: PriceView
  groupRatio?: number
  tokens?: TokensView
  baseUsd?: number
  reserved?: number
  priced?: number
  charged?: number
  shortfall?: number
  warnings: string[]
  /** Error code of an error row. */
  code?: string
  /** The token terms of the cost, when the call was priced per token. */
  formula: FormulaTerm[]
}

/** Cache writes cost this multiple of the input price when a model lists none (as core/billing/price-usage.ts). */
const CACHE_WRITE_MULTIPLIER = 1.25

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function priceOf(value: unknown): PriceView | undefined {
  const raw = record(value)
  if (!raw) return undefined
  const price: PriceView = {}
  for (const key of ['inputPerMTok', 'outputPerMTok', 'cacheReadPerMTok', 'cacheWritePerMTok', 'perCall'] as const) {
    const found = number(raw[key])
    if (found !== undefined) price[key] = found
  }
  return Object.keys(price).length > 0 ? price : undefined
}

function tokensOf(value: unknown): TokensView | undefined {
  const raw = record(value)
  if (!raw) return undefined
  return {
    input: number(raw.input) ?? 0,
    cacheRead: number(raw.cacheRead) ?? 0,
    cacheWrite: number(raw.cacheWrite) ?? 0,
    output: number(raw.output) ?? 0,
    reasoning: number(raw.reasoning) ?? 0,
  }
}

/** The non-zero token terms of a per-token price, with the same default rates the gateway bills by. */
export function formulaOf(price: PriceView | undefined, tokens: TokensView | undefined): FormulaTerm[] {
  if (!price || !tokens || price.perCall !== undefined) return []
  const input = price.inputPerMTok ?? 0
  const terms: FormulaTerm[] = [
    { kind: 'input', tokens: tokens.input, ratePerMTok: input, derived: false },
    { kind: 'cacheRead', tokens: tokens.cacheRead, ratePerMTok: price.cacheReadPerMTok ?? input, derived: price.cacheReadPerMTok === undefined },
    {
      kind: 'cacheWrite',
      tokens: tokens.cacheWrite,
      ratePerMTok: price.cacheWritePerMTok ?? input * CACHE_WRITE_MULTIPLIER,
      derived: price.cacheWritePerMTok === undefined,
    },
    { kind: 'output', tokens: tokens.output, ratePerMTok: price.outputPerMTok ?? input, derived: price.outputPerMTok === undefined },
  ]
  return terms.filter((term) => term.tokens > 0)
}

/** The breakdown in a log's details. */
export function readBreakdown(details: Record<string, unknown> | null | undefined): BreakdownView {
  const raw = details ?? {}
  const price = priceOf(raw.price)
  const tokens = tokensOf(raw.tokens)
  const warnings = Array.isArray(raw.warnings) ? raw.warnings.filter((warning): warning is string => typeof warning === 'string' && warning !== '') : []
  const view: BreakdownView = { warnings, formula: formulaOf(price, tokens) }
  const outcome = text(raw.outcome)
  const usageSource = text(raw.usageSource)
  const code = text(raw.code)
  if (outcome) view.outcome = outcome
  if (usageSource) view.usageSource = usageSource
  if (code) view.code = code
  if (price) view.price = price
  if (tokens) view.tokens = tokens
  for (const key of ['groupRatio', 'baseUsd', 'reserved', 'priced', 'charged', 'shortfall'] as const) {
    const found = number(raw[key])
    if (found !== undefined) view[key] = found
  }
  return view
}

/** True when the breakdown has anything about money to show. */
export function hasPricing(view: BreakdownView): boolean {
  return view.price !== undefined || view.charged !== undefined || view.reserved !== undefined || view.baseUsd !== undefined
}
