import { describe, expect, it } from 'vitest'

describe('social forces labels', () => {
  it('names every audit action and entity of the social forces in both languages', async () => {
    const { i18n, label } = await import('./index')
    i18n.global.locale.value = 'zh-CN'
    // the actions and entity types internal/partners records
    const names: Record<string, string> = {
      'provider.create': '登记志愿者/机构',
      'provider.update': '修改志愿者/机构',
      'provider.service': '登记服务记录',
      'deputy.create': '登记代表委员',
      'pairing.create': '建立结对',
      'pairing.end': '结束结对',
      'pairing.activity': '登记结对活动',
      'entrepreneur.create': '登记在外创业人士',
      'match.create': '发起项目对接',
      'match.update': '更新对接进展',
    }
    const entities: Record<string, string> = {
      partner_provider: '志愿者/机构',
      partner_service: '服务记录',
      partner_deputy: '代表委员',
      partner_pairing: '结对',
      partner_activity: '结对活动',
      partner_entrepreneur: '在外创业人士',
      partner_match: '项目对接',
    }
    for (const [action, zh] of Object.entries(names)) expect(label('actions', action), action).toBe(zh)
    for (const [e, zh] of Object.entries(entities)) expect(label('entityTypes', e), e).toBe(zh)
    expect(label('forces.level', 'town') + label('forces.deputyKind', 'npc')).toBe('乡镇人大代表')
    expect(label('forces.matchStatus', 'contacted')).toBe('已联系')
    expect(i18n.global.t('menu.socialProviders')).toBe('志愿者与机构')
    i18n.global.locale.value = 'en'
    for (const action of Object.keys(names)) expect(label('actions', action), action).not.toBe(action)
    for (const e of Object.keys(entities)) expect(label('entityTypes', e), e).not.toBe(e)
    expect(label('forces.kind', 'law_firm')).toBe('Law firm')
    i18n.global.locale.value = 'zh-CN'
  }, 30000) // importing every message file is slow on a loaded machine

  it('has the same keys in both languages', async () => {
    const zh = (await import('./forces.zh-CN')).default
    const en = (await import('./forces.en')).default
    const keys = (o: object, p = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, p + k + '.') : [p + k]))
    expect(keys(en).sort()).toEqual(keys(zh).sort())
  })
})
