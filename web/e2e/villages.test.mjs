// 驻村力量 against a real server: a county poverty office filters the weak villages to the
// uncovered ones, stations a work team in the first of them and sees it covered, then adds a
// responsible leader for the county and sees them listed.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { allUsers, api, demoUser, launchBrowser, newPage, shot, signInOK, startServer } from './server.mjs'

const COUNTY = '320921000000'
const seq = String(Date.now() % 10000).padStart(4, '0')

describe('stationed forces', () => {
  let server
  let browser
  let county

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    county = demoUser(await allUsers(server.url), 'poverty_office', COUNTY)
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('a county office stations a team in an uncovered village and adds a leader', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, county)
    const item = page.locator('[data-test=menu] [data-menu=duty-villages]')
    if (!(await item.isVisible())) await page.locator('[data-menu-group="menu.duty"] .el-sub-menu__title').click()
    await item.click()
    await page.waitForURL(/\/duty\/villages/)
    const rows = page.locator('[data-test=villages-table] .el-table__body tr')
    await rows.first().waitFor()
    await page.locator('[data-test=village-secretary]').first().waitFor()
    await shot(page, '76-duty-villages')

    // 只看未派驻: as many rows as the API names, every one tagged 未派驻.
    await page.locator('[data-test=villages-uncovered]').click()
    await page.waitForURL(/uncovered=1/)
    const open = await api(page, `/duty/villages?region=${COUNTY}&uncovered=1`)
    assert.equal(open.status, 200)
    assert.ok(open.body.length > 0, 'the demo county has uncovered weak villages')
    await page.locator('[data-test=villages-summary]', { hasText: `未派驻 ${open.body.length} 个` }).waitFor()
    assert.equal(await rows.count(), open.body.length)
    assert.equal(await page.locator('[data-test=village-uncovered]').count(), open.body.length)

    // 派驻工作队 in the first one.
    const village = open.body[0]
    const row = rows.filter({ hasText: village.code })
    await row.locator('[data-test=village-station]').click()
    const dlg = page.locator('.el-dialog:visible')
    await dlg.locator('input[data-test=team-name]').fill(`县农业农村局驻${village.name}工作队${seq}`)
    await dlg.locator('input[data-test=team-unit]').fill('县农业农村局')
    await dlg.locator('input[data-test=team-leader]').fill('许志刚')
    await dlg.locator('input[data-test=team-leader-phone]').fill('13905150001')
    await dlg.locator('[data-test=member-add]').click()
    await dlg.locator('input[data-test=member-name]').fill('陈晓燕')
    await dlg.locator('input[data-test=member-employer]').fill('县农业农村局')
    await dlg.locator('[data-test=team-submit]').click()
    await dlg.waitFor({ state: 'hidden' })
    // Covered now: the row leaves the filtered list.
    await row.waitFor({ state: 'detached' })
    const after1 = await api(page, `/duty/villages?region=${COUNTY}`)
    const v = after1.body.find((x) => x.code === village.code)
    assert.ok(v.covered, 'the village is covered')
    assert.equal(v.teams[0].members[0].name, '陈晓燕')

    // 责任领导: add one for the county (the picker starts at the page's county).
    await page.locator('.el-tabs__item', { hasText: '责任领导' }).click()
    await page.waitForURL(/tab=leaders/)
    await page.locator('[data-test=leader-create]').click()
    const ld = page.locator('.el-dialog:visible')
    const leaderName = `王建${'国民华'[Number(seq) % 3]}`
    await ld.locator('input[data-test=leader-name]').fill(leaderName)
    await ld.locator('input[data-test=leader-position]').fill('县委副书记')
    await ld.locator('input[data-test=leader-phone]').fill('13905150002')
    await ld.locator('[data-test=leader-submit]').click()
    await ld.waitFor({ state: 'hidden' })
    await page.locator('[data-test=leaders-table] .el-table__body tr', { hasText: leaderName }).filter({ hasText: '县委副书记' }).first().waitFor()
    await page.evaluate(() => document.querySelectorAll('.el-message').forEach((e) => e.remove()))
    await shot(page, '77-duty-leaders')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })
})
