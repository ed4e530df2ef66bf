// 精准项目 against a real server: the county poverty office registers a village project through
// the 新建项目 dialog (the kind's required fields checked first) and uploads the research
// document (its SHA-256 shown); signing the research stage as the county office is refused with
// the server's message in the dialog (research is signed at village level); the village cadre
// signs it and the project moves to 论证 (the board's columns count it there); the cadre's
// attempt to sign 评审 next (skipping 论证) shows the server's error; the Gantt canvas renders;
// the village files its plan (text uploaded) and the town's poverty office receives it with a
// receipt number; the county auditor sees the list, board, project and plans without any write
// button.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { allUsers, apiSession, launchBrowser, newPage, shot, signInOK, startServer } from './server.mjs'

const COUNTY = '320921000000'
const OFFICE = 'poverty_office_320921'

async function pick(page, selectTest, text) {
  await page.locator(`[data-test=${selectTest}]`).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

// Chooses a region in a RegionCascader rooted at the county: expands the town, ticks the village.
async function chooseVillage(page, wrapper, townName, villageName) {
  await wrapper.locator('.el-cascader').click()
  const panel = page.locator('.el-cascader__dropdown:visible')
  const tnode = panel.locator('.el-cascader-node', { hasText: townName }).first()
  if (!(await tnode.isVisible().catch(() => false))) {
    await panel.locator('.el-cascader-node').first().locator('.el-cascader-node__label').click()
  }
  await tnode.waitFor()
  await tnode.locator('.el-cascader-node__label').click()
  const vnode = panel.locator('.el-cascader-node', { hasText: villageName }).first()
  await vnode.waitFor()
  await vnode.locator('.el-radio').click()
  await page.keyboard.press('Escape')
}

async function columnCount(page, stage) {
  const c = page.locator(`[data-test=board-column][data-stage="${stage}"] [data-test=column-count]`)
  await c.waitFor()
  return Number((await c.innerText()).trim())
}

describe('projects (精准项目: 项目库 · 看板 · 阶段签字 · 村级规划备案)', () => {
  let server
  let browser
  let users
  let cadre // village cadre of the project's village
  let townOffice
  let auditor
  let village
  let town
  let projectId
  const stamp = Date.now().toString(36)
  const projectName = `光伏发电村集体增收项目 ${stamp}`

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    users = await allUsers(server.url)
    // A village of the county with its cadre, whose town has a poverty office.
    const byScope = (role, scope) => users.find((u) => u.role === role && u.scope_code === scope && !u.disabled)
    const c = users.find((u) => u.role === 'village_cadre' && !u.disabled && u.scope_code.startsWith(COUNTY.slice(0, 6)) && !u.scope_code.endsWith('000') && byScope('poverty_office', u.scope_code.slice(0, 9) + '000'))
    assert.ok(c, 'a village cadre in the county whose town has a poverty office')
    cadre = c.username
    townOffice = byScope('poverty_office', c.scope_code.slice(0, 9) + '000').username
    auditor = (byScope('auditor', COUNTY) ?? byScope('auditor', '320900000000')).username
    const office = await apiSession(server.url, OFFICE)
    village = (await office.get(`/regions/${c.scope_code}`)).body
    town = (await office.get(`/regions/${c.scope_code.slice(0, 9)}000`)).body
    assert.ok(village?.name && town?.name, 'region names')
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('the county office registers a village project and uploads the research report', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    await page.goto(server.url + '/projects/board')
    const before0 = await columnCount(page, 0)
    await shot(page, 'projects-01-board')

    await page.goto(server.url + '/projects')
    await page.locator('[data-test=projects-table]').waitFor()
    await page.locator('[data-test=project-new]').click()
    const dlg = page.locator('[data-test=project-dialog]')
    await dlg.waitFor()
    // the kind drives the required fields: a carrier project needs its business
    await dlg.locator('[data-test=pf-kind] [data-kind=carrier]').click()
    await dlg.locator('input[data-test=pf-name]').fill(projectName)
    await dlg.locator('[data-test=pf-submit]').click()
    await dlg.locator('.el-form-item__error', { hasText: '带动主体' }).waitFor()
    await dlg.locator('[data-test=pf-kind] [data-kind=village]').click()
    assert.equal(await dlg.locator('input[data-test=pf-carrier]').count(), 0)
    await pick(page, 'pf-subkind', '物业经营型')
    await chooseVillage(page, dlg.locator('[data-test=pf-region]'), town.name, village.name)
    await dlg.locator('input[data-test=pf-budget]').fill('600000')
    await dlg.locator('input[data-test=pf-implementer]').fill(`${village.name}股份经济合作社`)
    await dlg.locator('input[data-test=pf-scale]').fill('屋顶光伏 200 千瓦')
    await dlg.locator('textarea[data-test=pf-benefit]').fill('电站收益归村集体，按年向低收入农户分红')
    await dlg.locator('[data-test=pf-custom]').click()
    await dlg.locator('[data-test=pf-plan-table]').waitFor()
    await shot(page, 'projects-02-new-dialog')
    await dlg.locator('[data-test=pf-submit]').click()
    await page.waitForURL(/\/projects\/\d+/)
    projectId = Number(/\/projects\/(\d+)/.exec(page.url())[1])
    const detail = page.locator('[data-test=project-detail]')
    await detail.locator('[data-test=project-summary]').waitFor()
    assert.equal(await detail.locator('[data-test=project-stage]').getAttribute('data-stage'), '0')
    assert.match(await detail.locator('[data-test=project-budget]').innerText(), /600,000\.00/)
    await detail.locator('[data-test=gantt] canvas').waitFor()
    // the research report is missing
    await detail.locator('[data-test=stage-table] [data-stage="0"]').waitFor()
    const miss = detail.locator('[data-test=stage-table] [data-doc=survey]').first()
    assert.equal(await miss.getAttribute('data-missing'), '1')

    await detail.locator('[data-test=doc-upload-open]').click()
    const up = page.locator('[data-test=doc-dialog]')
    await up.waitFor()
    const body = Buffer.from(`${village.name}光伏项目调研报告\n屋顶面积、日照、并网条件均满足。\n`, 'utf8')
    await up.locator('[data-test=doc-file] input[type=file]').setInputFiles({ name: '调研报告.txt', mimeType: 'text/plain', buffer: body })
    await up.locator('[data-test=doc-submit]').click()
    const sha = up.locator('[data-test=doc-sha]')
    await sha.waitFor()
    assert.equal((await sha.innerText()).trim(), createHash('sha256').update(body).digest('hex'))
    await shot(page, 'projects-03-uploaded')
    await up.locator('.el-dialog__footer .el-button').first().click()
    await page.waitForFunction(() => document.querySelector('[data-test=stage-table] [data-doc=survey]')?.getAttribute('data-missing') === '0')

    // the county office is not the research stage's signer: refused, message shown
    await detail.locator('[data-test=stage-sign-open]').click()
    const sign = page.locator('[data-test=sign-dialog]')
    await sign.waitFor()
    await sign.locator('textarea[data-test=sign-opinion]').fill('调研充分，同意')
    await sign.locator('[data-test=sign-submit]').click()
    const err = sign.locator('[data-test=sign-error]')
    await err.waitFor()
    const msg = (await err.innerText()).trim()
    assert.match(msg, /[\u4e00-\u9fff]/, msg)
    assert.match(msg, /村/, `names the village level: ${msg}`)
    await shot(page, 'projects-04-wrong-signer')
    await sign.locator('.el-dialog__footer .el-button').first().click()
    assert.equal(await detail.locator('[data-test=project-stage]').getAttribute('data-stage'), '0')

    await page.goto(server.url + '/projects/board')
    assert.equal(await columnCount(page, 0), before0 + 1)
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('the village cadre signs research; a skip to 评审 is refused', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, cadre)
    await page.goto(server.url + '/projects/board')
    const c0 = await columnCount(page, 0)
    const c1 = await columnCount(page, 1)

    await page.goto(server.url + `/projects/${projectId}`)
    const detail = page.locator('[data-test=project-detail]')
    await detail.locator('[data-test=project-summary]').waitFor()
    await detail.locator('[data-test=stage-sign-open]').click()
    const sign = page.locator('[data-test=sign-dialog]')
    await sign.waitFor()
    await sign.locator('textarea[data-test=sign-opinion]').fill('经村民代表会议讨论，同意实施')
    await sign.locator('[data-test=sign-submit]').click()
    await sign.waitFor({ state: 'hidden' })
    await page.waitForFunction(() => document.querySelector('[data-test=project-stage]')?.getAttribute('data-stage') === '1')
    assert.equal(await detail.locator('[data-test=stage-table] [data-stage="0"]').getAttribute('data-state'), 'done')
    assert.equal(await detail.locator('[data-test=stage-table] [data-stage="1"]').getAttribute('data-state'), 'current')
    await detail.locator('[data-test=gantt] canvas').waitFor()
    await shot(page, 'projects-05-signed')

    // skipping 论证: choose 评审 in the dialog, the server refuses
    await detail.locator('[data-test=stage-sign-open]').click()
    await sign.waitFor()
    await pick(page, 'sign-stage', '评审')
    await sign.locator('[data-test=sign-submit]').click()
    const err = sign.locator('[data-test=sign-error]')
    await err.waitFor()
    assert.match(await err.innerText(), /跳过|论证/)
    await shot(page, 'projects-06-skip-refused')
    await sign.locator('.el-dialog__footer .el-button').first().click()

    await page.goto(server.url + '/projects/board')
    await page.waitForFunction(
      ([a, b]) => {
        const n = (s) => Number(document.querySelector(`[data-test=board-column][data-stage="${s}"] [data-test=column-count]`)?.textContent?.trim())
        return n(0) === a && n(1) === b
      },
      [c0 - 1, c1 + 1],
    )
    await page.locator(`[data-test=board-column][data-stage="1"] [data-test=board-card][data-id="${projectId}"]`).waitFor()
    await shot(page, 'projects-07-board-after')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('the village files its plan and the town receives it', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, cadre)
    await page.goto(server.url + '/projects/plans')
    await page.locator('[data-test=plans-table]').waitFor()
    await page.locator('[data-test=plan-new]').click()
    const dlg = page.locator('[data-test=plan-dialog]')
    await dlg.waitFor()
    const title = `${village.name}2026年度项目规划 ${stamp}`
    await dlg.locator('input[data-test=plan-title]').fill(title)
    await dlg.locator('textarea[data-test=plan-content]').fill('一、发展目标\n二、拟实施项目：屋顶光伏、农产品冷库\n三、资金测算')
    await dlg.locator('[data-test=plan-submit]').click()
    const drawer = page.locator('[data-test=plan-drawer]')
    await drawer.locator('[data-test=plan-drawer-status][data-status=draft]').waitFor()
    // filing without the text is refused by the server
    await drawer.locator('[data-test=plan-file]').click()
    await page.locator('.el-message-box:visible .el-message-box__btns .el-button--primary').click()
    await drawer.locator('[data-test=plan-error]').waitFor()
    assert.match(await drawer.locator('[data-test=plan-error]').innerText(), /上传|规划文本/)
    await drawer.locator('[data-test=plan-upload]').waitFor()
    await drawer.locator('.up input[type=file]').setInputFiles({ name: '村级规划.txt', mimeType: 'text/plain', buffer: Buffer.from('村级项目规划全文', 'utf8') })
    await drawer.locator('[data-test=plan-attachment]').waitFor()
    await drawer.locator('[data-test=plan-file]').click()
    await page.locator('.el-message-box:visible .el-message-box__btns .el-button--primary').click()
    await drawer.locator('[data-test=plan-drawer-status][data-status=filed]').waitFor()
    await shot(page, 'projects-08-plan-filed')
    await page.context().close()

    const tp = await newPage(browser)
    await signInOK(tp, server.url, townOffice)
    await tp.goto(server.url + '/projects/plans?status=filed')
    const row = tp.locator('[data-test=plans-table] .el-table__row', { hasText: title })
    await row.waitFor()
    await row.click()
    const d2 = tp.locator('[data-test=plan-drawer]')
    await d2.locator('[data-test=plan-receive]').click()
    const dec = tp.locator('[data-test=plan-decide-dialog]')
    await dec.waitFor()
    await dec.locator('[data-test=plan-decide-submit]').click()
    await d2.locator('[data-test=plan-drawer-status][data-status=received]').waitFor()
    assert.match(await d2.locator('[data-test=plan-drawer-receipt]').innerText(), /^BA\d{4}-/)
    assert.equal(await d2.locator('[data-test=plan-timeline] .el-timeline-item').count(), 3)
    await shot(tp, 'projects-09-plan-received')
    assert.deepEqual(tp.jsErrors, [])
    await tp.context().close()
  })

  it('the auditor sees the projects read-only', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, auditor)
    await page.goto(server.url + '/projects')
    await page.locator(`[data-test=project-link][data-id="${projectId}"]`).waitFor()
    assert.equal(await page.locator('[data-test=project-new]').count(), 0)
    await shot(page, 'projects-12-list')
    // a demo project that is late: its Gantt shows the overdue stage
    await page.goto(server.url + '/projects?overdue=1')
    await page.locator('[data-test=project-overdue]').first().waitFor()
    await page.locator('[data-test=project-link]').first().click()
    await page.locator('[data-test=project-detail] [data-test=gantt] canvas').waitFor()
    await page.locator('[data-test=stage-table] [data-state=current]').waitFor()
    await shot(page, 'projects-13-gantt-overdue')
    await page.locator('[data-test=gantt]').scrollIntoViewIfNeeded()
    await page.evaluate(() => document.querySelector('[data-test=gantt]').scrollIntoView({ block: 'start' }))
    await shot(page, 'projects-14-gantt')
    await page.evaluate(() => document.querySelector('[data-test=stage-table]').scrollIntoView({ block: 'start' }))
    await shot(page, 'projects-15-stage-table')
    await page.goto(server.url + `/projects/${projectId}`)
    const detail = page.locator('[data-test=project-detail]')
    await detail.locator('[data-test=project-readonly]').waitFor()
    await detail.locator('[data-test=gantt] canvas').waitFor()
    for (const t of ['doc-upload-open', 'stage-sign-open', 'doc-upload-0']) assert.equal(await detail.locator(`[data-test=${t}]`).count(), 0, t)
    await detail.locator('.el-tabs__item', { hasText: '受益对象' }).click()
    await detail.locator('[data-test=ben-table]').waitFor()
    assert.equal(await detail.locator('[data-test=ben-add]').count(), 0)
    await detail.locator('.el-tabs__item', { hasText: '风险与容错' }).click()
    await detail.locator('[data-test=risk-table]').waitFor()
    assert.equal(await detail.locator('[data-test=risk-add]').count(), 0)
    assert.equal(await detail.locator('[data-test=tol-request]').count(), 0)
    await shot(page, 'projects-10-auditor')
    await page.goto(server.url + '/projects/plans')
    await page.locator('[data-test=plans-table] .el-table__row').first().waitFor()
    assert.equal(await page.locator('[data-test=plan-new]').count(), 0)
    await page.locator('[data-test=plans-table] .el-table__row').first().click()
    await page.locator('[data-test=plan-drawer] [data-test=plan-timeline]').waitFor()
    for (const t of ['plan-file', 'plan-receive', 'plan-return', 'plan-upload']) assert.equal(await page.locator(`[data-test=${t}]`).count(), 0, t)
    await page.goto(server.url + '/projects/board')
    await page.locator('[data-test=board-column]').first().waitFor()
    await shot(page, 'projects-11-auditor-board')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })
})
