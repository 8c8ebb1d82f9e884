import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

// Validates Kubernetes manifests against the Kubernetes OpenAPI schemas, with no cluster and no network:
//   bun scripts/check-kubernetes.ts [folder]      (default deploy/kubernetes; exit 1 and one line per problem)
// Two passes over every document of every *.yaml file, both generated from the same OpenAPI document by
// the kubernetes-models package:
// - its JSON-schema validators (types, formats such as quantities, enums, required fields);
// - its TypeScript types, used strictly: each document is type-checked as an object literal of its kind,
//   so a misspelled field (`readinessProb`) is refused, as `kubectl apply --validate=strict` would.

/** One thing wrong with one manifest, located by file, kind, name and field path. */
export interface ManifestProblem {
  file: string
  kind: string
  name: string
  /** JSON path of the offending field (`spec.template.spec.containers[0].readinessProb`), '' for the document. */
  field: string
  message: string
}

/** One parsed YAML document. */
interface ManifestDocument {
  file: string
  index: number
  body: Record<string, unknown>
}

const root = fileURLToPath(new URL('../', import.meta.url))

/** `apps/v1` + `Deployment` → the kubernetes-models module for it (core group: `v1/Service`). */
export function modelModule(apiVersion: string, kind: string): string {
  return `kubernetes-models/${apiVersion}/${kind}`
}

/** The one-line form of a problem, as the CLI prints it and tests match it. */
export function describeProblem(problem: ManifestProblem): string {
  const where = problem.field ? ` field ${problem.field}` : ''
  return `${problem.file}: ${problem.kind} ${problem.name}${where}: ${problem.message}`
}

/** `/spec/template/0/x` → `spec.template[0].x`. */
function dottedPath(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '')
}

/** Every document of every .yaml/.yml file in `folder`, in file order. */
function readDocuments(folder: string): { documents: ManifestDocument[]; problems: ManifestProblem[] } {
  const documents: ManifestDocument[] = []
  const problems: ManifestProblem[] = []
  const files = readdirSync(folder)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
  for (const name of files) {
    const fromRoot = relative(root, join(folder, name))
    const file = fromRoot.startsWith('..') ? join(folder, name) : fromRoot
    const texts = readFileSync(join(folder, name), 'utf8').split(/^---\s*$/m)
    texts.forEach((text, index) => {
      if (!text.replace(/#.*$/gm, '').trim()) return
      try {
        const body = Bun.YAML.parse(text)
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('a manifest must be a mapping')
        documents.push({ file, index, body: body as Record<string, unknown> })
      } catch (error) {
        problems.push({ file, kind: '?', name: '?', field: '', message: `not YAML: ${error instanceof Error ? error.message : String(error)}` })
      }
    })
  }
  return { documents, problems }
}

/** Identity of a document for messages. */
function identity(document: ManifestDocument): Pick<ManifestProblem, 'file' | 'kind' | 'name'> {
  const metadata = document.body.metadata as { name?: unknown } | undefined
  return { file: document.file, kind: String(document.body.kind ?? '?'), name: String(metadata?.name ?? '?') }
}

/** The model class that validates a document's kind, or a problem when the kind or apiVersion is unknown. */
async function loadModel(document: ManifestDocument): Promise<{ validate(): void } | ManifestProblem> {
  const { apiVersion, kind } = document.body
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return { ...identity(document), field: '', message: 'apiVersion and kind are required' }
  try {
    const exports = (await import(modelModule(apiVersion, kind))) as Record<string, new (data: unknown) => { validate(): void }>
    const Model = exports[kind]
    if (!Model) throw new Error('no model')
    return new Model(document.body)
  } catch {
    return { ...identity(document), field: 'apiVersion', message: `unknown kind ${kind} in ${apiVersion} (not in the Kubernetes OpenAPI schemas)` }
  }
}

/** Pass 1: the OpenAPI JSON-schema validators. */
async function schemaProblems(document: ManifestDocument): Promise<ManifestProblem[]> {
  const model = await loadModel(document)
  if (!('validate' in model)) return [model]
  try {
    model.validate()
    return []
  } catch (error) {
    const errors = (error as { errors?: Array<{ instancePath: string; message?: string; keyword: string }> }).errors ?? []
    // oneOf/anyOf wrappers repeat what their branches said; keep the specific lines.
    return errors
      .filter((entry) => entry.keyword !== 'oneOf' && entry.keyword !== 'anyOf')
      .map((entry) => ({ ...identity(document), field: dottedPath(entry.instancePath), message: entry.message ?? entry.keyword }))
  }
}

/** The JSON path of an AST node inside one of the generated object literals. */
function nodePath(node: ts.Node): string {
  const parts: string[] = []
  let current: ts.Node | undefined = node
  while (current && !ts.isVariableDeclaration(current)) {
    const parent: ts.Node | undefined = current.parent
    if (ts.isPropertyAssignment(current) && ts.isStringLiteral(current.name)) parts.unshift(current.name.text)
    else if (parent && ts.isArrayLiteralExpression(parent)) parts.unshift(`[${parent.elements.indexOf(current as ts.Expression)}]`)
    current = parent
  }
  return parts.reduce((path, part) => (part.startsWith('[') ? path + part : path ? `${path}.${part}` : part), '')
}

/** The deepest node of `source` that contains `position`. */
function nodeAt(source: ts.SourceFile, position: number): ts.Node {
  let found: ts.Node = source
  const visit = (node: ts.Node): void => {
    if (position >= node.getStart(source) && position < node.getEnd()) {
      found = node
      ts.forEachChild(node, visit)
    }
  }
  ts.forEachChild(source, visit)
  return found
}

/** Pass 2: each document type-checked as a literal of its kind's TypeScript type (unknown fields refused). */
function typeProblems(documents: ManifestDocument[]): ManifestProblem[] {
  const checked = documents.filter((document) => typeof document.body.apiVersion === 'string' && typeof document.body.kind === 'string')
  if (checked.length === 0) return []
  const virtualFile = join(root, 'deploy', '__kubernetes-manifests__.ts')
  const text = checked
    .map(
      (document, index) =>
        `import type { I${String(document.body.kind)} as Kind${index} } from '${modelModule(String(document.body.apiVersion), String(document.body.kind))}'\nexport const manifest${index}: Kind${index} = ${JSON.stringify(document.body)}`,
    )
    .join('\n')
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    types: [],
  }
  const host = ts.createCompilerHost(options)
  const readFile = host.readFile.bind(host)
  const getSourceFile = host.getSourceFile.bind(host)
  host.readFile = (path) => (resolve(path) === virtualFile ? text : readFile(path))
  host.fileExists = (path) => resolve(path) === virtualFile || ts.sys.fileExists(path)
  host.getSourceFile = (path, language) => (resolve(path) === virtualFile ? ts.createSourceFile(path, text, language, true) : getSourceFile(path, language))
  const program = ts.createProgram([virtualFile], options, host)
  const source = program.getSourceFile(virtualFile)!
  return ts.getPreEmitDiagnostics(program, source).flatMap((diagnostic) => {
    if (diagnostic.start === undefined) return []
    const node = nodeAt(source, diagnostic.start)
    let declaration: ts.Node | undefined = node
    while (declaration && !ts.isVariableDeclaration(declaration)) declaration = declaration.parent
    const index =
      declaration && ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name) ? Number(declaration.name.text.slice('manifest'.length)) : -1
    const document = checked[index]
    if (!document) return []
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ').replace(/\s+/g, ' ')
    return [{ ...identity(document), field: nodePath(node), message: message.length > 300 ? `${message.slice(0, 300)}…` : message }]
  })
}

/** Every problem in the manifests of `folder` (empty when all are valid). */
export async function checkManifests(folder: string): Promise<ManifestProblem[]> {
  const { documents, problems } = readDocuments(folder)
  for (const document of documents) problems.push(...(await schemaProblems(document)))
  const seen = new Set(problems.map((problem) => `${problem.file} ${problem.kind} ${problem.name} ${problem.field}`))
  for (const problem of typeProblems(documents)) {
    const key = `${problem.file} ${problem.kind} ${problem.name} ${problem.field}`
    if (!seen.has(key)) problems.push(problem)
    seen.add(key)
  }
  return problems
}

if (import.meta.main) {
  const folder = resolve(process.argv[2] ?? join(root, 'deploy', 'kubernetes'))
  const problems = await checkManifests(folder)
  for (const problem of problems) console.error(describeProblem(problem))
  console.log(problems.length === 0 ? `${relative(process.cwd(), folder) || '.'}: every manifest is valid` : `${problems.length} problem(s)`)
  process.exit(problems.length === 0 ? 0 : 1)
}
