// A plugin written against a contract version this gateway does not implement.
export default { id: 'future', specVersion: 99, name: 'Future', channelTypes: [], models: [], pricing: {}, dialects: [] }
