// A plugin whose pricing data is not a number.
export default {
  id: 'badprice',
  specVersion: 1,
  name: 'Bad price',
  channelTypes: [],
  models: [],
  pricing: { 'model-x': { inputPerMTok: 'cheap' } },
  dialects: [],
}
