// Assets: the asset register with its map, asset pages and income distribution (收益分配).
// English; assets.zh-CN.ts has the same keys.
export const assetsMenu = {
  assetRegister: 'Asset register',
}

export const assetsActions = {}

export const assetsEntities = {}

export default {
  assets: {},
}
