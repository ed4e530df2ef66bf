// 扶贫资产: the asset register with its map, asset pages and income distribution (收益分配).
// Simplified Chinese; assets.en.ts has the same keys.
export const assetsMenu = {
  assetRegister: '资产台账',
}

export const assetsActions = {}

export const assetsEntities = {}

export default {
  assets: {},
}
