// The chat requests the bench sends, identical bytes for every target: `small` (~100 B, one short
// question) and `large` (~100 KB, one user message of varied English prose). The prose is generated
// from a seeded generator, so every run sends the same bytes, and is varied enough that tokenizers,
// hashes and compressors see realistic text rather than one repeated character.

/** Request body sizes the bench knows. */
export type BodySize = 'small' | 'large'

const LARGE_TEXT_BYTES = 100 * 1024

const SUBJECTS = [
  'The committee',
  'Our team',
  'The new library',
  'A small bakery',
  'The city council',
  'Every engineer',
  'The old bridge',
  'Most readers',
  'The research group',
  'A travelling musician',
  'The weather service',
  'Her grandmother',
  'The support desk',
  'This report',
  'The northern railway',
  'A local farmer',
]
const VERBS = [
  'reviewed',
  'described',
  'rebuilt',
  'questioned',
  'measured',
  'recommended',
  'postponed',
  'celebrated',
  'documented',
  'compared',
  'replaced',
  'explained',
  'planned',
  'ignored',
  'supported',
  'tested',
]
const OBJECTS = [
  'the quarterly budget',
  'a detailed proposal',
  'the river crossing',
  'several hundred letters',
  'the opening hours',
  'an unusual pattern in the data',
  'the winter schedule',
  'every remaining ticket',
  'the main database',
  'a list of open questions',
  'the harvest forecast',
  'the customer survey',
  'the evening concert',
  'a broken water pipe',
  'the migration plan',
  'the training material',
]
const CLAUSES = [
  'before the end of the month',
  'after a long discussion',
  'despite the heavy rain',
  'with remarkable patience',
  'for the third time this year',
  'while the visitors waited outside',
  'without asking for more money',
  'because nobody else would',
  'in front of a quiet audience',
  'as the deadline approached',
  'under difficult conditions',
  'with help from volunteers',
]
const LINKS = ['However,', 'Meanwhile,', 'As a result,', 'In the end,', 'Later that week,', 'For that reason,', 'At the same time,', 'Even so,']
const ADJECTIVES = [
  'careful',
  'surprising',
  'expensive',
  'modest',
  'thorough',
  'hurried',
  'generous',
  'cautious',
  'ambitious',
  'familiar',
  'tedious',
  'remarkable',
  'brief',
  'confusing',
  'thoughtful',
  'practical',
]
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const PLACES = ['Lisbon', 'Osaka', 'Nairobi', 'Tromsø', 'Valparaíso', 'Kraków', 'Winnipeg', 'Hobart', 'Marrakesh', 'Tallinn', 'Cusco', 'Da Nang']

/** A small deterministic generator (mulberry32): the same seed gives the same text everywhere. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** One sentence of plausible prose. */
function sentence(random: () => number, pick: <T>(list: readonly T[]) => T): string {
  const core = `${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)} ${pick(CLAUSES)}`
  const opening = random() < 0.3 ? `${pick(LINKS)} ${core.charAt(0).toLowerCase()}${core.slice(1)}` : core
  const tail = random() < 0.35 ? `, and ${pick(SUBJECTS).toLowerCase()} ${pick(VERBS)} ${pick(OBJECTS)}` : ''
  const detail = [
    ` The review was ${pick(ADJECTIVES)} and took ${2 + Math.floor(random() * 40)} days.`,
    ` About ${10 + Math.floor(random() * 990)} people in ${pick(PLACES)} followed it closely.`,
    ` It was first mentioned on ${1 + Math.floor(random() * 28)} ${pick(MONTHS)} ${1950 + Math.floor(random() * 75)}.`,
    '',
    '',
    '',
  ]
  return `${opening}${tail}.${pick(detail)}`
}

/** About `bytes` bytes of paragraphs of English prose, the same for the same seed. */
export function proseText(bytes: number, seed = 20_240_601): string {
  const random = seededRandom(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const paragraphs: string[] = []
  let length = 0
  while (length < bytes) {
    const count = 3 + Math.floor(random() * 5)
    const paragraph = Array.from({ length: count }, () => sentence(random, pick)).join(' ')
    paragraphs.push(paragraph)
    length += paragraph.length + 2
  }
  return paragraphs.join('\n\n').slice(0, bytes)
}

let largeText: string | undefined

/** The chat request body of a size, streamed or not (max_tokens 64, model gpt-4o-mini). */
export function chatRequestBody(size: BodySize, streamed: boolean): string {
  const content =
    size === 'small' ? 'What is the capital of France?' : (largeText ??= `Summarise the following notes in three sentences.\n\n${proseText(LARGE_TEXT_BYTES)}`)
  return JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], max_tokens: 64, ...(streamed ? { stream: true } : {}) })
}
