// A plugin written against a contract major version this gateway does not implement.
export default { id: 'future', specVersion: '2.0', name: 'Future', channelTypes: [], models: [], pricing: {}, dialects: [] }
