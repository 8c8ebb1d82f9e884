// The fake Cohere upstream lives with the example plugin it serves (examples/plugins/cohere-example/test),
// replaying that package's fixtures; the gateway's tests use the same one.
export { startFakeCohere, type FakeCohere, type FakeCohereAnswer, type FakeCohereRequest } from '../../examples/plugins/cohere-example/test/fake-cohere.ts'
