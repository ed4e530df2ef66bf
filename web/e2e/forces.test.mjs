// 社会力量 against a real server: the county poverty office registers a law firm (a credit code
// with a wrong check digit is refused beside the field, then a good one is taken), records a
// service it gave in a village, registers a township 人大代表, pairs them with the village and
// records an activity; registers an entrepreneur from the town willing to bring capital and sees
// a project of that town suggested with its reasons, records a match and moves it to 已联系. The
// county auditor sees the registers without any write button. Then, on a phone, the public page
// /p/forces/<village> shows the firm, the deputy's pairing and the activity, and no 11-digit
// phone number anywhere on it.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { allUsers, apiSession, launchBrowser, newPage, phone, shot, signInOK, startServer } from './server.mjs'

const COUNTY = '320921000000'
const OFFICE = 'poverty_office_320921'
const DEPUTY_PHONE = '13912345678'
const FIRM_PHONE = '13800138000'

// 统一社会信用代码 (GB 32100): 17 characters and a check character.
const CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
function creditCode(body17) {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += CHARS.indexOf(body17[i]) * WEIGHTS[i]
  return body17 + CHARS[(31 - (sum % 31)) % 31]
}
function wrongCheck(code) {
  const c = code[17]
  return code.slice(0, 17) + CHARS[(CHARS.indexOf(c) + 1) % 31]
}

// Chooses a region in a RegionCascader rooted at the county: expands each name but the last,
// ticks the last.
async function chooseRegion(page, wrapper, names) {
  await wrapper.locator('.el-cascader').click()
  const panel = page.locator('.el-cascader__dropdown:visible')
  const first = panel.locator('.el-cascader-node', { hasText: names[0] }).first()
  if (!(await first.isVisible().catch(() => false))) {
    await panel.locator('.el-cascader-node').first().locator('.el-cascader-node__label').click()
  }
  for (let i = 0; i < names.length; i++) {
    const node = panel.locator('.el-cascader-node', { hasText: names[i] }).first()
    await node.waitFor()
    if (i < names.length - 1) await node.locator('.el-cascader-node__label').click()
    else await node.locator('.el-radio').click()
  }
  await page.keyboard.press('Escape')
}

describe('social forces (社会力量: 志愿者与机构 · 代表委员结对 · 在外创业人士 · 公开页)', () => {
  let server
  let browser
  let office
  let town
  let village
  let project
  let auditor
  const stamp = Date.now().toString(36).slice(-4).toUpperCase()
  const firmName = `江苏阳光律师事务所${stamp}`
  const deputyName = '陈建国'
  const activityTitle = `入户走访宣讲惠农政策${stamp}`
  const good = creditCode(`91320921MA1${stamp.padEnd(6, '0').slice(0, 6).replace(/[IOSVZ]/g, '1')}`)

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    const users = await allUsers(server.url)
    auditor = (users.find((u) => u.role === 'auditor' && u.scope_code === COUNTY && !u.disabled) ?? users.find((u) => u.role === 'auditor' && !u.disabled)).username
    office = await apiSession(server.url, OFFICE)
    // A project under way in the county: the entrepreneur will come from its town.
    const ps = await office.get(`/projects?region=${COUNTY}&status=active&limit=200`)
    assert.equal(ps.status, 200)
    project = ps.body.items.find((p) => /^\d{12}$/.test(p.region_code) && !p.region_code.endsWith('000'))
    assert.ok(project, 'an active village project in the county')
    village = (await office.get(`/regions/${project.region_code}`)).body
    town = (await office.get(`/regions/${project.region_code.slice(0, 9)}000`)).body
    assert.ok(village?.name && town?.name, 'region names')
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('registers a law firm (a bad credit code refused beside the field) and records a service', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    await page.goto(server.url + '/social/providers')
    await page.locator('[data-test=providers-table]').waitFor()
    await page.locator('[data-test=provider-new]').click()
    const dlg = page.locator('[data-test=provider-dialog]')
    await dlg.waitFor()
    await dlg.locator('[data-test=pv-kind] [data-kind=law_firm]').click()
    await dlg.locator('input[data-test=pv-name]').fill(firmName)
    await dlg.locator('input[data-test=pv-contact]').fill('李明')
    await dlg.locator('input[data-test=pv-phone]').fill(FIRM_PHONE)
    await chooseRegion(page, dlg.locator('[data-test=pv-region]'), [town.name, village.name])
    await dlg.locator('[data-test=pv-services]').click()
    await page.keyboard.type('法律咨询')
    await page.keyboard.press('Enter')
    await page.keyboard.type('法律援助')
    await page.keyboard.press('Enter')
    await page.keyboard.press('Tab') // closes the list (Escape would close the dialog)
    // a wrong check digit: the server's refusal shows beside the credit code
    await dlg.locator('input[data-test=pv-credit]').fill(wrongCheck(good))
    await dlg.locator('[data-test=pv-submit]').click()
    const creditItem = dlg.locator('.el-form-item', { has: page.locator('input[data-test=pv-credit]') })
    await creditItem.locator('.el-form-item__error').waitFor()
    const msg = await creditItem.locator('.el-form-item__error').innerText()
    assert.ok(msg.length > 0, 'an error beside the credit code')
    await shot(page, 'forces-01-credit-refused')
    assert.equal((await office.get(`/providers?q=${encodeURIComponent(firmName)}`)).body.items.length, 0, 'nothing registered')

    await dlg.locator('input[data-test=pv-credit]').fill(good)
    await dlg.locator('[data-test=pv-submit]').click()
    await page.waitForURL(/\/social\/providers\/\d+/)
    const detail = page.locator('[data-test=provider-detail]')
    await detail.locator('[data-test=provider-summary]').waitFor()
    assert.equal(await detail.locator('[data-test=provider-credit]').innerText(), good)

    await detail.locator('[data-test=service-add]').click()
    const sd = page.locator('[data-test=service-dialog]')
    await sd.waitFor()
    await sd.locator('textarea[data-test=sv-content]').fill('为村民解答土地流转合同问题，现场审阅合同 5 份')
    await sd.locator('[data-test=sv-hours] input').fill('3')
    await sd.locator('[data-test=sv-people] input').fill('12')
    await shot(page, 'forces-02-service-dialog')
    await sd.locator('[data-test=sv-submit]').click()
    await sd.waitFor({ state: 'hidden' })
    await detail.locator('[data-test=service-table] .el-table__body tr', { hasText: '土地流转' }).waitFor()
    assert.equal(await detail.locator('[data-test=provider-count]').innerText(), '1')
    assert.equal(await detail.locator('[data-test=provider-hours]').innerText(), '3')
    await shot(page, 'forces-03-provider')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('pairs a township 人大代表 with the village and records an activity', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    await page.goto(server.url + '/social/deputies')
    await page.locator('[data-test=deputies-table]').waitFor()
    await page.locator('[data-test=deputy-new]').click()
    const dlg = page.locator('[data-test=deputy-dialog]')
    await dlg.waitFor()
    await dlg.locator('[data-test=dp-kind] [data-kind=npc]').click()
    await dlg.locator('[data-test=dp-level] [data-level=town]').click()
    await dlg.locator('input[data-test=dp-name]').fill(deputyName)
    await dlg.locator('input[data-test=dp-unit]').fill(`${town.name}农业服务中心`)
    await dlg.locator('input[data-test=dp-phone]').fill(DEPUTY_PHONE)
    await chooseRegion(page, dlg.locator('[data-test=dp-region]'), [town.name])
    await dlg.locator('[data-test=dp-submit]').click()
    await page.waitForURL(/\/social\/deputies\/\d+/)
    const dd = page.locator('[data-test=deputy-detail]')
    assert.equal(await dd.locator('[data-test=deputy-tag]').first().innerText(), '乡镇人大代表')

    await dd.locator('[data-test=deputy-pair]').click()
    const pd = page.locator('[data-test=pair-dialog]')
    await pd.waitFor()
    assert.match(await pd.locator('[data-test=pr-deputy-fixed]').innerText(), new RegExp(deputyName))
    await chooseRegion(page, pd.locator('[data-test=pr-village]'), [town.name, village.name])
    await pd.locator('textarea[data-test=pr-commitment]').fill('每季度到村走访一次，帮助协调产业项目')
    await pd.locator('[data-test=pr-submit]').click()
    await page.waitForURL(/\/social\/deputies\/pairings\/\d+/)
    const pv = page.locator('[data-test=pairing-detail]')
    await pv.locator('[data-test=pairing-summary]').waitFor()
    assert.equal(await pv.locator('[data-test=pairing-status]').getAttribute('data-status'), 'active')

    await pv.locator('[data-test=activity-add]').click()
    const ad = page.locator('[data-test=activity-dialog]')
    await ad.waitFor()
    await ad.locator('input[data-test=prompt-title]').fill(activityTitle)
    await ad.locator('textarea[data-test=prompt-content]').fill('走访低收入农户 8 户，讲解产业奖补政策')
    await ad.locator('input[data-test=prompt-people]').fill('8')
    await ad.locator('[data-test=prompt-submit]').click()
    await ad.waitFor({ state: 'hidden' })
    await pv.locator('[data-test=activity-table] .el-table__body tr', { hasText: activityTitle }).waitFor()
    await shot(page, 'forces-04-pairing')

    await page.goto(server.url + '/social/deputies?tab=pairings')
    await page.locator('[data-test=dpairings-table] .el-table__body tr', { hasText: deputyName }).waitFor()
    await shot(page, 'forces-05-deputies')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('registers an entrepreneur from the town, sees the town\'s project suggested and records a match', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    await page.goto(server.url + '/social/entrepreneurs')
    await page.locator('[data-test=entrepreneurs-table]').waitFor()
    await page.locator('[data-test=entrepreneur-new]').click()
    const dlg = page.locator('[data-test=entrepreneur-dialog]')
    await dlg.waitFor()
    await dlg.locator('input[data-test=en-name]').fill('周海涛')
    await dlg.locator('input[data-test=en-phone]').fill('13705150001')
    await chooseRegion(page, dlg.locator('[data-test=en-hometown]'), [town.name])
    await dlg.locator('input[data-test=en-works]').fill('上海')
    await dlg.locator('input[data-test=en-company]').fill('上海海涛食品有限公司')
    await dlg.locator('input[data-test=en-industry]').fill('农产品加工')
    await dlg.locator('[data-test=en-willing] [data-willing=capital]').click()
    await dlg.locator('input[data-test=en-capital]').fill('500000')
    await dlg.locator('[data-test=en-submit]').click()
    await page.waitForURL(/\/social\/entrepreneurs\/\d+/)
    const ev = page.locator('[data-test=entrepreneur-detail]')
    await ev.locator('[data-test=entrepreneur-willing]').waitFor()
    assert.match(await ev.locator('[data-test=entrepreneur-willing]').innerText(), /带资金/)

    // a project of the town is suggested, with the reasons it was chosen
    const entId = Number(/\/social\/entrepreneurs\/(\d+)/.exec(page.url())[1])
    const sugg = await office.get(`/entrepreneurs/${entId}/suggestions`)
    assert.equal(sugg.status, 200)
    const list = Array.isArray(sugg.body) ? sugg.body : sugg.body.items
    const mine = list.find((x) => x.region_code.startsWith(town.code.slice(0, 9)))
    assert.ok(mine, `a project of ${town.name} among ${list.map((x) => x.region_name).join()}`)
    project = { id: mine.project_id, name: mine.project_name }
    const row = ev.locator('[data-test=suggestions-table] .el-table__body tr', { has: page.locator(`[data-test=suggestion-project][data-id="${project.id}"]`) })
    await row.waitFor()
    const reasons = await row.locator('[data-test=suggestion-reasons]').innerText()
    assert.match(reasons, /同乡/)
    assert.match(reasons, /资金/)
    assert.ok(Number(await row.locator('[data-test=suggestion-score]').innerText()) > 0)
    await shot(page, 'forces-06-suggestions')

    await row.locator('[data-test=suggestion-propose]').click()
    const md = page.locator('[data-test=match-dialog]')
    await md.waitFor()
    await md.locator('textarea[data-test=prompt-note]').fill('项目负责人已同意电话沟通')
    await md.locator('[data-test=prompt-submit]').click()
    await md.waitFor({ state: 'hidden' })
    const mrow = ev.locator('[data-test=matches-table] .el-table__body tr', { hasText: project.name })
    await mrow.waitFor()
    assert.equal(await mrow.locator('[data-test=match-status]').getAttribute('data-status'), 'proposed')
    await mrow.locator('[data-test=match-contacted]').click()
    const mv = page.locator('[data-test=move-dialog]')
    await mv.waitFor()
    await mv.locator('textarea[data-test=prompt-note]').fill('已电话联系，约定下月回乡考察')
    await mv.locator('[data-test=prompt-submit]').click()
    await mv.waitFor({ state: 'hidden' })
    await mrow.locator('[data-test=match-status][data-status=contacted]').waitFor()
    await shot(page, 'forces-07-matches')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('shows the registers to the county auditor without any write button', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, auditor)
    await page.goto(server.url + '/social/providers')
    await page.locator('[data-test=providers-table] .el-table__body tr', { hasText: firmName }).waitFor()
    assert.equal(await page.locator('[data-test=provider-new]').count(), 0)
    await page.locator('[data-test=provider-link]', { hasText: firmName }).click()
    await page.locator('[data-test=forces-readonly]').waitFor()
    assert.equal(await page.locator('[data-test=service-add]').count(), 0)
    assert.equal(await page.locator('[data-test=provider-deactivate]').count(), 0)
    await page.goto(server.url + '/social/deputies')
    await page.locator('[data-test=deputies-table] .el-table__body tr', { hasText: deputyName }).waitFor()
    assert.equal(await page.locator('[data-test=deputy-new]').count(), 0)
    assert.equal(await page.locator('[data-test=deputy-pair]').count(), 0)
    await page.goto(server.url + '/social/entrepreneurs')
    await page.locator('[data-test=entrepreneurs-table]').waitFor()
    assert.equal(await page.locator('[data-test=entrepreneur-new]').count(), 0)
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('the public page of the village shows the firm, the pairing and the activity on a phone, and no phone number', async () => {
    const res = await fetch(`${server.url}/api/v1/public/forces/${village.code}`)
    assert.equal(res.status, 200)
    const raw = await res.text()
    assert.doesNotMatch(raw, /(^|\D)1[3-9]\d{9}(?!\d)/, 'no 11-digit phone in the public JSON')

    const page = await newPage(browser, phone)
    await page.goto(`${server.url}/p/forces/${village.code}`)
    const fp = page.locator('[data-test=forces-page]')
    await fp.waitFor()
    assert.equal(await fp.locator('[data-test=forces-name]').innerText(), village.name)
    await fp.locator('[data-test=forces-firm]', { hasText: firmName }).waitFor()
    const dep = fp.locator('[data-test=forces-deputy]', { hasText: deputyName })
    await dep.waitFor()
    assert.match(await dep.innerText(), /乡镇人大代表/)
    assert.equal(await dep.getAttribute('data-level'), 'town')
    await fp.locator('[data-test=forces-activity]', { hasText: activityTitle }).waitFor()
    // breadcrumbs lead up to the town and the county
    const crumbs = await fp.locator('[data-test=forces-crumb]').allInnerTexts()
    assert.ok(crumbs.includes(town.name), crumbs.join())
    const text = await page.evaluate(() => document.body.innerText)
    assert.doesNotMatch(text, /(^|\D)1[3-9]\d{9}(?!\d)/, 'no 11-digit phone on the page')
    assert.ok(!text.includes(DEPUTY_PHONE) && !text.includes(FIRM_PHONE))
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`)
    await shot(page, 'forces-08-public-top')
    await fp.locator('[data-test=forces-recent]').scrollIntoViewIfNeeded()
    await shot(page, 'forces-09-public-recent')

    // up to the town: the same pairing counts there too
    await fp.locator('[data-test=forces-crumb]', { hasText: town.name }).click()
    await page.waitForURL(new RegExp(`/p/forces/${town.code}`))
    await page.locator(`[data-test=forces-page][data-code="${town.code}"] [data-test=forces-deputy]`, { hasText: deputyName }).waitFor()
    await shot(page, 'forces-10-public-town')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })
})
