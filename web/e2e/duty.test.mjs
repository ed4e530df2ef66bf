// The responsibility screens (精准帮扶) against a real server: a county poverty office sees
// the coverage figures, registers a new helper, pairs them with a household that has none
// from the household file, finds the household on the helper's page, then moves all of the
// helper's households to another helper ("a helper leaves") and sees them moved.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { allUsers, api, demoUser, launchBrowser, newPage, shot, signInOK, startServer } from './server.mjs'

const COUNTY = '320921000000'

// GB 11643: 17 digits and the ISO 7064 MOD 11-2 check character.
function idNumber(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * w[i]
  return first17 + '10X98765432'[sum % 11]
}

const seq = String(Date.now() % 100000000).padStart(8, '0')
const helperId = idNumber(`32092119850612${seq.slice(-3)}`)
const helperPhone = `139${seq}`
const helperName = '欧阳明远'

async function openMenu(page, key) {
  const item = page.locator(`[data-test=menu] [data-menu=${key}]`)
  if (!(await item.isVisible())) await page.locator('[data-menu-group="menu.duty"] .el-sub-menu__title').click()
  await item.click()
}

async function pickHelper(page, dialog, q, name) {
  await dialog.locator('[data-test=helper-picker]').click()
  await page.keyboard.type(q)
  await page.locator('.el-select-dropdown__item:visible', { hasText: name }).first().click()
}

describe('responsibility screens', () => {
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

  it('a county office checks coverage, pairs a new helper and moves their households', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, county)

    // 落实情况: the headline figures are the API's.
    await openMenu(page, 'duty-coverage')
    await page.waitForURL(/\/duty\/coverage/)
    const cov = await api(page, `/duty/coverage?region=${COUNTY}&max_load=10`)
    assert.equal(cov.status, 200)
    await page.locator('[data-test=fig-registered]', { hasText: cov.body.registered.toLocaleString('en-US') }).waitFor()
    await page.locator('[data-test=without-helper] .el-table__body tr').first().waitFor()
    // Weak villages without a team or secretary: as many rows as the API names.
    assert.ok(cov.body.weak_villages > 0, 'the demo county has weak villages')
    assert.equal(await page.locator('[data-test=weak-uncovered] .el-table__body tr').count(), cov.body.weak_uncovered.length)
    await shot(page, '70-duty-coverage')
    const target = cov.body.without_helper[0]
    assert.ok(target, 'the demo has a household without a helper')

    // 帮扶责任人: the list, then a new helper.
    await openMenu(page, 'duty-helpers')
    await page.waitForURL(/\/duty\/helpers/)
    await page.locator('[data-test=helpers-table] .el-table__body tr').first().waitFor()
    await shot(page, '71-duty-helpers')
    await page.locator('[data-test=helper-create]').click()
    const dlg = page.locator('.el-dialog:visible')
    await dlg.locator('input[data-test=helper-name]').fill(helperName)
    await dlg.locator('input[data-test=helper-id]').fill(helperId)
    await dlg.locator('input[data-test=helper-phone]').fill(helperPhone)
    await dlg.locator('input[data-test=helper-employer]').fill('县农业农村局')
    await dlg.locator('input[data-test=helper-position]').fill('科员')
    await dlg.locator('.el-switch').first().click()
    await shot(page, '72-duty-helper-create')
    await dlg.locator('[data-test=helper-submit]').click()
    await page.waitForURL(/\/duty\/helpers\/\d+/)
    const newId = Number(new URL(page.url()).pathname.split('/').pop())
    await page.locator('[data-test=helper-title]', { hasText: helperName }).waitFor()

    // The household file: 落实帮扶责任人 with the new helper.
    await page.goto(`${server.url}/households/${target.id}?tab=helper`)
    await page.locator('[data-test=helper-none]').waitFor()
    await page.locator('[data-test=helper-assign]').click()
    const assign = page.locator('.el-dialog:visible')
    await pickHelper(page, assign, helperPhone, helperName)
    await assign.locator('textarea[data-test=assign-reason]').fill('落实帮扶责任人（测试）')
    await shot(page, '73-duty-assign')
    await assign.locator('[data-test=assign-submit]').click()
    await page.locator('[data-test=helper]', { hasText: helperName }).waitFor()

    // The helper's page lists the household.
    await page.locator('[data-test=helper-name-link]').click()
    await page.waitForURL(new RegExp(`/duty/helpers/${newId}$`))
    await page.locator('[data-test=helper-households] .el-table__body tr', { hasText: target.household_no }).waitFor()
    await shot(page, '74-duty-helper-detail')

    // 整体移交 to another (demo) helper.
    const others = await api(page, '/helpers?active=1&limit=5')
    const other = others.body.items.find((h) => h.id !== newId && h.phone)
    assert.ok(other, 'another active helper with a phone')
    await page.locator('[data-test=helper-reassign]').click()
    const move = page.locator('.el-dialog:visible')
    await pickHelper(page, move, other.phone, other.name)
    await move.locator('textarea[data-test=assign-reason]').fill('原帮扶责任人工作调动（测试）')
    await move.locator('[data-test=assign-submit]').click()
    await page.locator('[data-test=helper-households] .el-table__empty-text').waitFor()
    await shot(page, '75-duty-helper-moved')

    const mine = await api(page, `/helpers/${newId}`)
    assert.equal(mine.body.households.length, 0)
    const theirs = await api(page, `/helpers/${other.id}`)
    assert.ok(theirs.body.households.some((h) => h.household_id === target.id), 'the household moved to the other helper')
    await page.goto(`${server.url}/households/${target.id}?tab=helper`)
    await page.locator('[data-test=helper]', { hasText: other.name }).waitFor()
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })
})
