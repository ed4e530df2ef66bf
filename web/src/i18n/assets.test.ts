import { describe, expect, it } from 'vitest'

describe('asset labels', () => {
  it('names every audit action and entity of the assets in both languages', async () => {
    const { i18n, label } = await import('./index')
    i18n.global.locale.value = 'zh-CN'
    const names: Record<string, string> = {
      'asset.create': '登记扶贫资产',
      'asset.update': '变更资产信息',
      'asset.income': '登记资产收益',
      'asset.distribute': '资产收益分配',
    }
    for (const [action, zh] of Object.entries(names)) expect(label('actions', action), action).toBe(zh)
    expect(label('entityTypes', 'asset')).toBe('扶贫资产')
    expect(label('entityTypes', 'asset_income')).toBe('资产收益')
    expect(label('assets.status', 'lost')).toBe('流失')
    expect(label('assets.kind', 'public_welfare')).toBe('公益性')
    expect(label('menu', 'assetRegister')).toBe('资产台账')
    i18n.global.locale.value = 'en'
    for (const action of Object.keys(names)) expect(label('actions', action), action).not.toBe(action)
    expect(label('entityTypes', 'asset_income')).toBe('Asset income')
    expect(label('assets.incomeStatus', 'recorded')).toBe('To distribute')
    i18n.global.locale.value = 'zh-CN'
  })
})
