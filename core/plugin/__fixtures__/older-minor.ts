// A plugin written against contract 1.0 (before frameStream was added): the same major, an older minor, so it loads.
export default { id: 'older', specVersion: '1.0', name: 'Older', channelTypes: [], models: [], pricing: {}, dialects: [] }
