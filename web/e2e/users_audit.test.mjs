// The admin creates a user, edits it, manages its API tokens, and the audit
// trail shows those events with before/after side by side.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { api, launchBrowser, newPage, shot, signInOK, startServer } from './server.mjs'

describe('user management and the audit trail', () => {
  let server
  let browser
  let page
  const username = `e2e_${Date.now().toString(36)}`
  let userId

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    page = await newPage(browser)
    await signInOK(page, server.url, 'admin')
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('GET /users lists the demo users', async () => {
    const res = await api(page, '/users?limit=200')
    assert.equal(res.status, 200)
    const users = res.body.items
    assert.ok(users.some((u) => u.username === 'admin' && u.role === 'admin' && u.scope_code === '320900000000'))
    for (const [role, scope] of [
      ['poverty_office', '320921000000'],
      ['auditor', '320900000000'],
      ['discipline', '320900000000'],
    ]) {
      assert.ok(users.some((u) => u.role === role && u.scope_code === scope), `a ${role} user for ${scope}`)
    }
  })

  it('creates a user through the dialog', async () => {
    await page.locator('[data-menu=users]').click()
    await page.waitForURL(/\/users/)
    await page.locator('[data-test=user-create]').click()
    const dlg = page.locator('.el-dialog:visible')
    await dlg.waitFor()
    await dlg.locator('input[data-test=user-username]').fill(username)
    await dlg.locator('input[data-test=user-display-name]').fill('测试用户甲')
    await dlg.locator('[data-test=user-role]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '农办/扶贫办' }).click()
    // Scope: open the cascader and pick 响水县 under 盐城市.
    await dlg.locator('[data-test=user-scope] .el-cascader').click()
    const panel = page.locator('.el-cascader__dropdown:visible')
    await panel.locator('.el-cascader-node', { hasText: '盐城市' }).locator('.el-cascader-node__label').click()
    const county = panel.locator('.el-cascader-node', { hasText: '响水县' })
    await county.waitFor()
    await county.locator('.el-radio').click()
    await page.keyboard.press('Escape')
    await dlg.locator('input[data-test=user-password]').fill('Weak1')
    assert.match(await dlg.locator('[data-test=password-strength]').innerText(), /很弱|弱/)
    await dlg.locator('input[data-test=user-password]').fill('Xiangshui#2026ok')
    assert.match(await dlg.locator('[data-test=password-strength]').innerText(), /强/)
    await shot(page, '20-user-create-dialog')
    await dlg.locator('[data-test=user-submit]').click()
    await dlg.waitFor({ state: 'hidden' })

    const res = await api(page, `/users?q=${username}`)
    const u = res.body.items.find((x) => x.username === username)
    assert.ok(u, 'the new user is listed')
    assert.equal(u.role, 'poverty_office')
    assert.equal(u.scope_code, '320921000000')
    assert.equal(u.display_name, '测试用户甲')
    userId = u.id

    // The new user can sign in with the password.
    const other = await newPage(browser)
    await signInOK(other, server.url, username, 'Xiangshui#2026ok')
    assert.match(await other.locator('[data-test=who]').innerText(), /测试用户甲/)
    await other.context().close()
  })

  it('edits the user and disables it', async () => {
    await page.locator('input[data-test=users-q]').fill(username)
    await page.locator('[data-test=users-search]').click()
    const row = page.locator('[data-test=users-table] .el-table__body tr', { hasText: username })
    await row.waitFor()
    // Fixed columns render the actions twice; use the visible copy.
    await row.locator('[data-test=user-edit]:visible').first().click()
    const dlg = page.locator('.el-dialog:visible')
    await dlg.waitFor()
    assert.equal(await dlg.locator('input[data-test=user-username]').isDisabled(), true)
    // The scope cascader shows the user's county, loaded lazily down from the city.
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-test=user-scope] input')].some((i) => i.value.includes('响水县')),
    )
    await shot(page, '25-user-edit-dialog')
    await dlg.locator('input[data-test=user-display-name]').fill('测试用户乙')
    await dlg.locator('[data-test=user-submit]').click()
    await dlg.waitFor({ state: 'hidden' })
    await page.locator('[data-test=users-table] .el-table__body tr', { hasText: '测试用户乙' }).first().waitFor()

    await row.locator('[data-test=user-toggle]:visible').first().click()
    await page.locator('.el-message-box:visible .el-button--primary').click()
    await page.locator('[data-test=users-table] .el-table__body tr', { hasText: username }).filter({ hasText: '停用' }).first().waitFor()
    const res = await api(page, `/users/${userId}`)
    assert.equal(res.body.display_name, '测试用户乙')
    assert.equal(res.body.disabled, true)
    await shot(page, '21-users-after-edit')
  })

  it('creates an API token, shows the secret once, and revokes it', async () => {
    const row = page.locator('[data-test=users-table] .el-table__body tr', { hasText: username })
    await row.locator('[data-test=user-tokens]:visible').first().click()
    const dlg = page.locator('.el-dialog:visible')
    await dlg.waitFor()
    await dlg.locator('input[data-test=token-name]').fill('民政核对接口')
    await dlg.locator('[data-test=token-create]').click()
    const secret = dlg.locator('[data-test=token-secret-value]')
    await secret.waitFor()
    assert.ok((await secret.innerText()).trim().length >= 16)
    await dlg.locator('[data-test=tokens-table] .el-table__body tr', { hasText: '民政核对接口' }).waitFor()
    await shot(page, '22-token-secret')
    await dlg.locator('[data-test=tokens-table] .el-table__body tr', { hasText: '民政核对接口' }).locator('button', { hasText: '吊销' }).click()
    await page.locator('.el-message-box:visible .el-button--primary').click()
    await dlg.locator('[data-test=tokens-table] .el-table__body tr', { hasText: '已吊销' }).waitFor()
    await dlg.locator('.el-dialog__footer button').click()
  })

  it('edits a village: weak-village designation, 软弱涣散 flag and 片区', async () => {
    await page.locator('[data-menu=regions]').click()
    await page.waitForURL(/\/regions/)
    const tree = page.locator('[data-test=region-tree]')
    // 盐城市 is expanded; open 响水县, then its first town, then pick its first village.
    const content = (sel) => tree.locator('.el-tree-node__content', { has: page.locator(sel) })
    await content('[data-code="320921000000"]').locator('.el-tree-node__expand-icon').click()
    await tree.locator('[data-level=town]').first().waitFor()
    await content('[data-level=town]').first().locator('.el-tree-node__expand-icon').click()
    await tree.locator('[data-level=village]').first().waitFor()
    await tree.locator('[data-level=village]').first().click()
    const form = page.locator('[data-test=region-form]')
    await page.locator('[data-test=region-detail] .el-descriptions', { hasText: '村（居）' }).waitFor()
    const code = (await page.locator('[data-test=region-detail] .el-descriptions .mono').first().innerText()).trim()
    assert.match(code, /^320921\d{6}$/)
    assert.ok(!/000$/.test(code), `a village code: ${code}`)

    await form.locator('.el-select').first().click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '市定经济薄弱村' }).click()
    const lax = form.locator('.el-switch')
    if (!(await lax.evaluate((e) => e.classList.contains('is-checked')))) await lax.click()
    await form.locator('input').nth(1).fill('渠北片区')
    await form.locator('[data-test=region-save]').click()
    await page.locator('.el-message--success').first().waitFor()
    const res = await api(page, `/regions/${code}`)
    assert.equal(res.body.weak_level, 'city')
    assert.equal(res.body.weak_lax, true)
    assert.equal(res.body.area, '渠北片区')
    await page.locator('[data-test=region-detail] .el-tag', { hasText: '市定经济薄弱村' }).waitFor()
    await shot(page, '24-region-village-edited')

    const trail = await api(page, `/audit?entity_type=region&entity_id=${code}`)
    assert.equal(trail.status, 200)
    assert.ok(trail.body.items.length >= 1, 'the region change is in the audit trail')
  })

  it('the audit trail shows the create and update events with their changes', async () => {
    await page.locator('[data-menu=audit]').click()
    await page.waitForURL(/\/audit/)
    await page.locator('[data-test=audit-entity-type]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '用户' }).first().click()
    await page.locator('input[data-test=audit-entity-id]').fill(String(userId))
    await page.locator('[data-test=audit-search]').click()
    const rows = page.locator('[data-test=audit-table] .el-table__body > tbody > tr.el-table__row')
    await page.waitForFunction(
      () => document.querySelectorAll('[data-test=audit-table] .el-table__body > tbody > tr.el-table__row').length >= 2,
    )
    const actions = await page.locator('[data-test=audit-table] [data-action]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))
    assert.ok(actions.some((a) => /create/.test(a)), `a create event: ${actions}`)
    assert.ok(actions.some((a) => /update|disable/.test(a)), `an update event: ${actions}`)
    // The admin made the changes (the new user's own sign-in is on record too).
    const changes = rows.filter({ has: page.locator('[data-action^="user."]') })
    assert.ok((await changes.count()) >= 2)
    for (const t of await changes.allInnerTexts()) assert.match(t, /系统管理员|admin/, 'the actor is the admin')

    // Expand the newest update: the display name change is highlighted.
    const upd = rows.filter({ has: page.locator('[data-action*=update]') }).last()
    await upd.locator('.el-table__expand-icon').click()
    const diff = page.locator('[data-test=diff-after]').first()
    await diff.waitFor()
    const changed = await page.locator('[data-test=diff-after] .line.changed').allInnerTexts()
    assert.ok(changed.length > 0, 'some key is highlighted as changed')
    await shot(page, '23-audit-user-events')

    const res = await api(page, `/audit?entity_type=user&entity_id=${userId}`)
    assert.equal(res.status, 200)
    assert.ok(res.body.items.length >= 2)
    assert.deepEqual(page.jsErrors, [])
  })
})
