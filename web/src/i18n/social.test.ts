import { describe, expect, it } from 'vitest'

describe('social labels', () => {
  it('names every audit action and entity of the donation platform (internal/giving) in both languages', async () => {
    const { i18n, label } = await import('./index')
    i18n.global.locale.value = 'zh-CN'
    const names: Record<string, string> = {
      'giving.donor.create': '登记捐赠人',
      'giving.need.create': '发布微心愿',
      'giving.need.close': '关闭微心愿',
      'giving.pledge.create': '登记认捐',
      'giving.pledge.cancel': '取消认捐',
      'giving.pledge.public': '网上认捐',
      'giving.donation.create': '登记捐赠',
      'giving.donation.disburse': '捐赠拨付到户',
      'giving.donation.deliver': '捐赠物资发放',
    }
    const entities: Record<string, string> = { giving_donor: '捐赠人', giving_need: '微心愿', giving_pledge: '认捐', giving_donation: '捐赠' }
    for (const [action, zh] of Object.entries(names)) expect(label('actions', action), action).toBe(zh)
    for (const [e, zh] of Object.entries(entities)) expect(label('entityTypes', e), e).toBe(zh)
    expect(label('social.needStatus', 'fulfilled')).toBe('已达成')
    i18n.global.locale.value = 'en'
    for (const action of Object.keys(names)) expect(label('actions', action), action).not.toBe(action)
    for (const e of Object.keys(entities)) expect(label('entityTypes', e), e).not.toBe(e)
    i18n.global.locale.value = 'zh-CN'
  })
})
