import ts from 'typescript'
import { posix } from 'node:path'

// The import rules of the plugin boundary (issue 15): plugins and the SDK are products of their own,
// so what they may import is written down here and checked by tests/integration/plugin-boundaries.test.ts.
//
//   plugins/<id>/            built-in plugins: '@hanggent/plugin-sdk', '@sinclair/typebox', node:/bun:
//                            built-ins, plugins/ (their own folder, or a sibling's data such as prices)
//                            and schemas/ (the shared wire schemas). Never core/; never tests/.
//   plugins/ test files      also tests/support/ (fake upstreams, fixtures, the test gateway) and the
//                            packages the repository declares (official SDKs as clients); core/ only
//                            through an exception listed with its reason in PLUGIN_TEST_EXCEPTIONS.
//   examples/plugins/<pkg>/  external packages: their own folder, node:/bun: built-ins and the packages
//                            their own package.json declares (devDependencies in test files only), or
//                            the package itself by its name.
//   packages/plugin-sdk/     the SDK itself: its own folder, node:/bun: built-ins and the packages its
//                            package.json declares (or its own name); never the gateway it is imported by.
//
// Test files: `*.test.ts`, `*-test-support.ts`, and anything under a `test/` or `__fixtures__/` folder.

/** A source file to check, by repository-relative POSIX path. */
export interface SourceFile {
  /** Path from the repository root, e.g. `plugins/openai/index.ts`. */
  path: string
  /** The file's text. */
  text: string
}

/** The packages a package.json declares, by kind, as the rules read them. */
export interface DeclaredPackages {
  /** The package's own name, dependencies, peerDependencies and optionalDependencies: usable by any file. */
  runtime: string[]
  /** devDependencies: usable by test files only. */
  development: string[]
}

/** One import that breaks a rule. */
export interface BoundaryViolation {
  /** The importing file. */
  file: string
  /** 1-based line of the import. */
  line: number
  /** The specifier as written. */
  specifier: string
  /** What rule it breaks and what to do instead. */
  reason: string
}

/** A core/ import a plugin test may keep, with why; an exception that matches no import is reported as stale. */
export interface BoundaryException {
  /** The importing test file. */
  file: string
  /** The imported file, resolved from the repository root. */
  target: string
  /** Why the test needs it. */
  reason: string
}

/** What the check needs besides the files: declared packages by package folder, and the allowed exceptions. */
export interface BoundaryContext {
  /** The root package.json's packages (what plugins/ test files may use). */
  repository: DeclaredPackages
  /** Each package folder's declared packages, by folder (`examples/plugins/acme`, `packages/plugin-sdk`). */
  packages: Record<string, DeclaredPackages>
  /** Core imports kept by plugin tests, each with its reason. */
  exceptions: BoundaryException[]
}

/** The packages a built-in plugin's non-test files may import. */
const PLUGIN_PACKAGES = ['@hanggent/plugin-sdk', '@sinclair/typebox']

/** True for a test file or test support, which may reach test fakes. */
export function isTestFile(path: string): boolean {
  return /\.test\.tsx?$/.test(path) || /-test-support\.tsx?$/.test(path) || /(^|\/)(test|__fixtures__)\//.test(path)
}

/** Every module specifier a file imports or re-exports, type-only and dynamic imports included, with its line. */
export function importsOf(text: string): Array<{ specifier: string; line: number }> {
  const { importedFiles } = ts.preProcessFile(text, true, true)
  return importedFiles.map((reference) => ({ specifier: reference.fileName, line: text.slice(0, reference.pos).split('\n').length }))
}

/** The package a bare specifier names (`@scope/name` or `name`), or undefined for a relative or built-in one. */
export function packageName(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || /^(node|bun):/.test(specifier) || specifier === 'bun') return undefined
  const segments = specifier.split('/')
  return specifier.startsWith('@') ? segments.slice(0, 2).join('/') : segments[0]
}

const isBuiltIn = (specifier: string): boolean => /^(node|bun):/.test(specifier) || specifier === 'bun'
const within = (path: string, folder: string): boolean => path === folder || path.startsWith(`${folder}/`)

/** The package folder a file belongs to under examples/plugins/ or packages/, if any. */
function packageFolder(path: string): string | undefined {
  return /^(examples\/plugins\/[^/]+|packages\/[^/]+)\//.exec(path)?.[1]
}

/** What is wrong with one import, or undefined when the rules allow it. */
function importProblem(file: string, specifier: string, context: BoundaryContext): string | undefined {
  const test = isTestFile(file)
  const target = specifier.startsWith('.') ? posix.normalize(posix.join(posix.dirname(file), specifier)) : undefined
  const folder = packageFolder(file)
  if (folder) {
    const declared = context.packages[folder] ?? { runtime: [], development: [] }
    if (target !== undefined)
      return within(target, folder) ? undefined : `reaches outside its package (${target}); a package imports only its own files and the packages it declares`
    if (isBuiltIn(specifier)) return undefined
    const name = packageName(specifier) ?? specifier
    if (declared.runtime.includes(name) || (test && declared.development.includes(name))) return undefined
    return `uses '${name}', which ${folder}/package.json does not declare${declared.development.includes(name) ? ' outside devDependencies' : ''}`
  }
  // Built-in plugins.
  if (target !== undefined) {
    if (within(target, 'core')) {
      if (test && context.exceptions.some((exception) => exception.file === file && exception.target === target)) return undefined
      return `imports gateway internals (${target}); plugins import the contract and helpers from @hanggent/plugin-sdk`
    }
    if (within(target, 'tests')) {
      if (!test) return `imports test code (${target}) from a file that ships; only test files may`
      return within(target, 'tests/support') ? undefined : `imports ${target}; plugin tests may use tests/support/ only`
    }
    return within(target, 'plugins') || within(target, 'schemas')
      ? undefined
      : `imports ${target}; plugins may import plugins/, schemas/ and @hanggent/plugin-sdk only`
  }
  if (isBuiltIn(specifier)) return undefined
  const name = packageName(specifier) ?? specifier
  if (PLUGIN_PACKAGES.includes(name)) return undefined
  if (test && (context.repository.runtime.includes(name) || context.repository.development.includes(name))) return undefined
  return `uses '${name}'; a built-in plugin's shipped files may use ${PLUGIN_PACKAGES.join(' and ')} only`
}

/** Every import among `files` that breaks the rules above, plus every exception no import uses any more. */
export function findBoundaryViolations(files: SourceFile[], context: BoundaryContext): BoundaryViolation[] {
  const violations: BoundaryViolation[] = []
  const usedExceptions = new Set<BoundaryException>()
  for (const file of files) {
    for (const { specifier, line } of importsOf(file.text)) {
      const reason = importProblem(file.path, specifier, context)
      if (reason) violations.push({ file: file.path, line, specifier, reason })
      const target = specifier.startsWith('.') ? posix.normalize(posix.join(posix.dirname(file.path), specifier)) : undefined
      for (const exception of context.exceptions) if (exception.file === file.path && exception.target === target) usedExceptions.add(exception)
    }
  }
  for (const exception of context.exceptions) {
    if (!usedExceptions.has(exception))
      violations.push({
        file: exception.file,
        line: 0,
        specifier: exception.target,
        reason: 'is listed as an allowed core import but no longer imported: remove the exception',
      })
  }
  return violations
}

/** One line per violation: `file:line imports 'specifier': reason`. */
export function formatViolation(violation: BoundaryViolation): string {
  return `${violation.file}:${violation.line} imports '${violation.specifier}': ${violation.reason}`
}
