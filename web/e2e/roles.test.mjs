// Three roles sign in; their menus differ as their permissions say, and a county
// user sees only their county. Also: a wrong password, the language switch, 404.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { allUsers, api, apiSession, demoUser, launchBrowser, menuKeys, newPage, shot, signIn, signInOK, startServer } from './server.mjs'

describe('roles and menus', () => {
  let server
  let browser
  let users

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    users = await allUsers(server.url)
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('a wrong password shows the server message on the sign-in page', async () => {
    const page = await newPage(browser)
    await page.goto(server.url + '/')
    await page.waitForURL(/\/login/)
    assert.equal(await page.locator('[data-test=app-title]').innerText(), '盐城市阳光扶贫监管系统')
    const six = await page.locator('.precisions li').allInnerTexts()
    assert.equal(six.length, 6)
    assert.ok(six.includes('精准识别扶贫对象'))
    await shot(page, '01-login')
    await signIn(page, server.url, 'admin', 'wrong-password')
    const err = page.locator('[data-test=login-error]')
    await err.waitFor()
    const text = (await err.innerText()).trim()
    assert.ok(text.length > 0, 'an error message is shown')
    assert.match(text, /[\u4e00-\u9fff]/, `the message is Chinese: ${text}`)
    assert.match(page.url(), /\/login/)
    await shot(page, '02-login-error')
    await page.context().close()
  })

  it('admin sees every menu entry and the city', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, 'admin')
    assert.deepEqual(await menuKeys(page), ['dashboard', 'regions', 'households', 'procedures', 'registry-stats', 'adjustment', 'exchange', 'duty-helpers', 'duty-coverage', 'duty-villages', 'visits', 'visit-compliance', 'cc-doubts', 'cc-runs', 'cc-datasets', 'cc-rules', 'cc-unauthorised', 'fund-list', 'fund-accounts', 'fund-transfers', 'pay-plans', 'fund-idle', 'fund-evaluation', 'oversight-cockpit', 'alert-inbox', 'alert-supervision', 'alert-rules', 'spot-checks', 'users', 'audit'])
    assert.equal(await page.locator('[data-test=role-label]').innerText(), '系统管理员')
    assert.match(await page.locator('[data-test=who]').innerText(), /盐城市/)
    await page.waitForURL(/\/dashboard/)
    await page.locator('[data-stat=households] .card-value').waitFor()
    await page.waitForFunction(() => document.querySelector('[data-stat=households] .card-value')?.textContent?.trim().match(/^\d/))
    const chart = page.locator('[data-test=dashboard-chart] canvas')
    await chart.waitFor()
    await shot(page, '03-dashboard-admin')

    await page.locator('[data-menu=regions]').click()
    await page.waitForURL(/\/regions/)
    await page.locator('[data-test=region-detail] .el-descriptions').waitFor()
    const firstCounty = page.locator('[data-test=region-tree] .el-tree-node__children .el-tree-node').first()
    await firstCounty.waitFor()
    await firstCounty.locator('.el-tree-node__content').click()
    await page.locator('[data-test=region-form]').waitFor()
    await shot(page, '04-regions-admin')

    await page.locator('[data-menu=households]').click()
    await page.waitForURL(/\/households/)
    await page.locator('[data-test=households-table] .el-table__body tr').first().waitFor()
    await shot(page, '05-households-admin')

    await page.locator('[data-menu=users]').click()
    await page.waitForURL(/\/users/)
    await page.locator('[data-test=users-table] .el-table__body tr').first().waitFor()
    assert.ok(await page.locator('[data-test=user-create]').isVisible())
    await shot(page, '06-users-admin')

    await page.locator('[data-menu=audit]').click()
    await page.waitForURL(/\/audit/)
    await page.locator('[data-test=audit-table] .el-table__body tr').first().waitFor()
    await page.locator('[data-test=audit-verify]').click()
    await page.locator('[data-test=verify-result]').waitFor()
    assert.equal(await page.locator('[data-test=verify-result]').getAttribute('data-ok'), 'true')
    await shot(page, '07-audit-admin')

    await page.goto(server.url + '/no/such/page')
    await page.locator('[data-test=not-found]').waitFor()
    await shot(page, '08-not-found')

    // English: the menu and the header change language.
    await page.goto(server.url + '/dashboard')
    await page.locator('[data-test=lang-switch]').click()
    await page.locator('.el-dropdown-menu__item', { hasText: 'English' }).click()
    await page.locator('[data-menu=households]', { hasText: 'Households' }).waitFor()
    assert.equal(await page.locator('[data-test=role-label]').innerText(), 'Administrator')
    await page.waitForTimeout(300)
    await shot(page, '09-dashboard-en')
    await page.locator('[data-test=lang-switch]').click()
    await page.locator('.el-dropdown-menu__item', { hasText: '中文' }).click()
    await page.locator('[data-menu=households]', { hasText: '低收入农户' }).waitFor()
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('a county poverty-office user sees only their county and no admin screens', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, demoUser(users, 'poverty_office', '320921000000'))
    assert.deepEqual(await menuKeys(page), ['dashboard', 'regions', 'households', 'procedures', 'registry-stats', 'adjustment', 'exchange', 'duty-helpers', 'duty-coverage', 'duty-villages', 'visits', 'visit-compliance', 'cc-doubts', 'cc-runs', 'cc-datasets', 'cc-rules', 'cc-unauthorised', 'fund-list', 'fund-accounts', 'fund-transfers', 'pay-plans', 'fund-idle', 'fund-evaluation', 'project-list', 'project-board', 'village-plans', 'asset-register', 'social-needs', 'social-donations', 'social-donors', 'social-providers', 'social-deputies', 'social-enterprises', 'social-entrepreneurs', 'oversight-cockpit', 'alert-inbox', 'alert-supervision', 'alert-rules', 'complaints', 'spot-checks', 'cases'])
    assert.equal(await page.locator('[data-test=role-label]').innerText(), '农办/扶贫办')
    assert.match(await page.locator('[data-test=who]').innerText(), /响水县/)

    // Dashboard: rooted at 响水县, the chart's categories are its towns.
    await page.waitForURL(/\/dashboard/)
    const region = page.locator('[data-test=dashboard-region] input')
    await page.waitForFunction(() => (document.querySelector('[data-test=dashboard-region] input')?.value ?? '').includes('响水县'))
    assert.match(await region.inputValue(), /响水县/)
    await page.locator('[data-test=dashboard-chart] canvas').waitFor()
    const dash = await api(page, '/dashboard?region=320921000000')
    assert.equal(dash.status, 200)
    assert.ok(dash.body.children.length > 0)
    for (const c of dash.body.children) assert.ok(c.code.startsWith('320921'), c.code)
    const city = await api(page, '/dashboard?region=320900000000')
    assert.equal(city.status, 403, 'the city is outside a county user\'s scope')
    await shot(page, '10-dashboard-county')

    // Households: every row the table shows is in 响水县.
    await page.locator('[data-menu=households]').click()
    await page.locator('[data-test=households-table] .el-table__body tr').first().waitFor()
    const list = await api(page, '/households?limit=200')
    assert.equal(list.status, 200)
    assert.ok(list.body.items.length > 0)
    for (const h of list.body.items) assert.ok(h.region_code.startsWith('320921'), h.region_code)
    const shown = await page.locator('[data-test=households-table] .el-table__body tr td:first-child').allInnerTexts()
    const mine = new Set(list.body.items.map((h) => h.household_no))
    for (const no of shown) assert.ok(mine.has(no.trim()), `row ${no} is one of the county's households`)
    const ids = await page.locator('[data-test=households-table] .el-table__body tr td:nth-child(4)').allInnerTexts()
    for (const id of ids) assert.match(id.trim(), /\*/, `ID number is masked: ${id}`)
    await shot(page, '11-households-county')

    // Screens the role has no permission for send it back to its first screen.
    await page.goto(server.url + '/users')
    await page.waitForURL(/\/dashboard/)
    await page.goto(server.url + '/audit')
    await page.waitForURL(/\/dashboard/)
    assert.deepEqual(page.jsErrors.filter((e) => !/403|Forbidden/i.test(e)), [])
    await page.context().close()
  })

  it('a town poverty-office user sees only the households of their town', async () => {
    const countyUser = await apiSession(server.url, demoUser(users, 'poverty_office', '320921000000'))
    const county = await countyUser.get('/regions/320921000000/children')
    const town = county.body.items.find((t) => users.some((u) => u.role === 'poverty_office' && u.scope_code === t.code))
    assert.ok(town, 'a town with a poverty-office user')
    const page = await newPage(browser)
    await signInOK(page, server.url, demoUser(users, 'poverty_office', town.code))
    assert.match(await page.locator('[data-test=who]').innerText(), new RegExp(town.name))
    await page.locator('[data-menu=households]').click()
    await page.locator('[data-test=households-table] .el-table__body tr').first().waitFor()
    await page.waitForFunction(
      (name) => (document.querySelector('[data-test=households-region] input')?.value ?? '').includes(name),
      town.name,
    )
    const prefix = town.code.slice(0, 9)
    const list = await api(page, '/households?limit=200')
    assert.ok(list.body.items.length > 0)
    for (const h of list.body.items) assert.ok(h.region_code.startsWith(prefix), `${h.region_code} in ${town.code}`)
    const shown = await page.locator('[data-test=households-table] .el-table__body tr td:first-child').allInnerTexts()
    const mine = new Set(list.body.items.map((h) => h.household_no))
    for (const no of shown) assert.ok(mine.has(no.trim()), `row ${no} is one of the town's households`)
    const other = await api(page, '/households?region=320921000000&limit=1')
    assert.equal(other.status, 403, 'the county is outside a town user\'s scope')
    await shot(page, '13-households-town')
    await page.context().close()
  })

  it('an auditor gets the audit trail and hash-chain check but no user management', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, demoUser(users, 'auditor', '320900000000'))
    const keys = await menuKeys(page)
    assert.ok(keys.includes('audit'), keys.join())
    assert.ok(!keys.includes('users'), keys.join())
    const f = keys.indexOf('fund-evaluation')
    assert.deepEqual(keys.slice(f + 1, f + 5), ['project-list', 'project-board', 'village-plans', 'asset-register'], keys.join())
    assert.equal(await page.locator('[data-test=role-label]').innerText(), '审计局')
    await page.locator('[data-menu=audit]').click()
    await page.locator('[data-test=audit-verify]').waitFor()
    await page.locator('[data-test=audit-table] .el-table__body tr').first().waitFor()
    await shot(page, '12-audit-auditor')
    await page.context().close()
  })

  it('the discipline commission menu follows its permissions', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, demoUser(users, 'discipline', '320900000000'))
    const me = await api(page, '/auth/me')
    const has = (p) => me.body.permissions.includes(p)
    const rules = {
      dashboard: has('dashboard.read'),
      regions: has('region.read'),
      households: has('household.read'),
      procedures: has('household.read'),
      'registry-stats': has('household.read') && has('dashboard.read'),
      adjustment: has('household.read') && has('dashboard.read'),
      exchange: ['registry.import', 'household.export', 'region.write', 'audit.read', 'fund.write'].some(has) && has('region.read'),
      'duty-helpers': has('household.read'),
      'duty-coverage': has('household.read'),
      'duty-villages': has('household.read'),
      visits: has('visit.read'),
      'visit-compliance': has('visit.read'),
      'cc-doubts': has('doubt.read'),
      'cc-runs': has('doubt.read'),
      'cc-datasets': has('doubt.read'),
      'cc-rules': has('doubt.read'),
      'cc-unauthorised': has('doubt.read') && has('household.read'),
      'fund-list': has('fund.read'),
      'fund-accounts': has('fund.read'),
      'fund-transfers': has('fund.read'),
      'pay-plans': has('fund.read'),
      'pay-reissue': has('plan.approve') && has('fund.read'),
      'fund-idle': has('fund.read'),
      'fund-evaluation': has('fund.read'),
      'project-list': has('project.read'),
      'project-board': has('project.read'),
      'village-plans': has('project.read'),
      'asset-register': has('project.read'),
      'social-needs': has('social.read'),
      'social-donations': has('social.read'),
      'social-donors': has('social.read'),
      'social-providers': has('social.read'),
      'social-deputies': has('social.read'),
      'social-enterprises': has('social.read'),
      'social-entrepreneurs': has('social.read'),
      'oversight-cockpit': has('alert.read'),
      'alert-inbox': has('alert.read'),
      'alert-supervision': has('alert.read'),
      'alert-rules': has('alert.read'),
      complaints: has('complaint.read'),
      'spot-checks': has('alert.read'),
      cases: has('case.read'),
      users: has('user.read'),
      audit: has('audit.read'),
    }
    const expected = Object.keys(rules).filter((k) => rules[k])
    assert.deepEqual(await menuKeys(page), expected)
    assert.equal(await page.locator('[data-test=role-label]').innerText(), '纪委监委')
    await page.context().close()
  })
})
