// At phone width (390×844) the menu becomes a drawer behind a hamburger button.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { launchBrowser, newPage, phone, shot, signInOK, startServer } from './server.mjs'

describe('phone-width layout', () => {
  let server
  let browser

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('shows the menu in a drawer and the screens fit the width', async () => {
    const page = await newPage(browser, phone)
    await page.goto(server.url + '/login')
    await page.locator('input[data-test=username]').waitFor()
    await shot(page, '30-phone-login')
    await signInOK(page, server.url, 'admin')
    await page.waitForURL(/\/dashboard/)

    assert.equal(await page.locator('[data-test=menu]').count(), 0, 'no side menu at phone width')
    const burger = page.locator('[data-test=hamburger]')
    assert.ok(await burger.isVisible())
    await page.locator('[data-test=dashboard-chart] canvas').waitFor()
    await shot(page, '31-phone-dashboard')

    await burger.click()
    const drawer = page.locator('[data-test=drawer-menu]')
    await drawer.waitFor()
    const keys = await drawer.locator('[data-menu]').evaluateAll((els) => els.map((e) => e.getAttribute('data-menu')))
    assert.deepEqual(keys, ['dashboard', 'regions', 'households', 'procedures', 'registry-stats', 'adjustment', 'exchange', 'duty-helpers', 'duty-coverage', 'duty-villages', 'visits', 'visit-compliance', 'cc-doubts', 'cc-runs', 'cc-datasets', 'cc-rules', 'cc-unauthorised', 'fund-list', 'fund-accounts', 'fund-transfers', 'pay-plans', 'fund-idle', 'fund-evaluation', 'oversight-cockpit', 'alert-inbox', 'alert-supervision', 'alert-rules', 'spot-checks', 'users', 'audit'])
    await shot(page, '32-phone-drawer')

    await drawer.locator('[data-menu=households]').click()
    await page.waitForURL(/\/households/)
    await drawer.waitFor({ state: 'hidden' })
    await page.locator('[data-test=households-table] .el-table__body tr').first().waitFor()
    await shot(page, '33-phone-households')

    // Nothing but the tables may scroll sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`)

    await burger.click()
    await page.locator('[data-test=drawer-menu] [data-menu=regions]').click()
    await page.waitForURL(/\/regions/)
    await page.locator('[data-test=region-detail] .el-descriptions').waitFor()
    await shot(page, '34-phone-regions')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })
})
