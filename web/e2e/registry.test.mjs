// The registry screens (精准识别) against a real server: a county poverty office filters the
// household list, opens a file and registers a new household with two members; the village
// cadre finds the registration procedure in their inbox, signs its steps (one with an
// attachment) up to the publicity step, publishes the notice and sees approval blocked by
// the 7-day period and by an objection until it is answered; statistics, yearly adjustment,
// import (a bad file rejected with line and reason, then a good one committed) and the
// printable forms, each exactly one A4 page.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { allUsers, api, demoUser, launchBrowser, newPage, screenshotDir, shot, signInOK, startServer } from './server.mjs'

const COUNTY = '320921000000'
const TOWN = '320921100000'
const VILLAGE = '320921100201'

// GB 11643: 17 digits and the ISO 7064 MOD 11-2 check character.
function idNumber(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * w[i]
  return first17 + '10X98765432'[sum % 11]
}

// Distinct per run, so the test never collides with the demo data or a previous run.
const seq = String(Date.now() % 1000).padStart(3, '0')
const headId = idNumber(`32092119720314${seq.slice(0, 2)}1`) // male
const spouseId = idNumber(`32092119740822${seq.slice(0, 2)}2`) // female
const householdNo = `E2E${Date.now()}`
const headName = '测试户主'

function pdfPages(buf) {
  return (buf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length
}

async function choose(page, select, text) {
  await select.click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

describe('registry screens', () => {
  let server
  let browser
  let users
  let county
  let cadre
  let created // id of the household the test registers

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    users = await allUsers(server.url)
    county = demoUser(users, 'poverty_office', COUNTY)
    cadre = demoUser(users, 'village_cadre', VILLAGE)
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('a county office filters the list, opens a file and registers a household', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, county)
    await page.locator('[data-menu=households]').click()
    await page.waitForURL(/\/households/)
    const rows = page.locator('[data-test=households-table] .el-table__body tr')
    await rows.first().waitFor()

    // Guarantee gap "any": every row shown has a gap tag, and the rows are the API's.
    await choose(page, page.locator('[data-test=households-gap]'), '任一项缺口')
    await page.waitForURL(/gap=any/)
    await page.locator('[data-test=households-income-min]').fill('3000')
    await page.locator('[data-test=households-income-min]').press('Enter')
    await page.waitForURL(/income_min=3000\.00/)
    const want = await api(page, `/households?region=${COUNTY}&gap=any&income_min=300000&limit=20`)
    assert.equal(want.status, 200)
    assert.ok(want.body.items.length > 0, 'the demo has households with gaps')
    await page.waitForFunction(
      (nos) => {
        const shown = [...document.querySelectorAll('[data-test=households-table] .el-table__body tr td:first-child')].map((td) => td.textContent.trim())
        return shown.length === nos.length && shown.every((s, i) => s === nos[i])
      },
      want.body.items.map((h) => h.household_no),
    )
    const n = await rows.count()
    assert.equal(await page.locator('[data-test=households-table] .el-table__body tr [data-test=gap-tag]').count() >= n, true)
    for (const h of want.body.items) assert.ok(h.gaps.length > 0 && h.income_per_capita_fen >= 300000, h.household_no)
    assert.match(await rows.first().innerText(), /低保户|特困供养|一般低收入户/)
    await shot(page, '50-registry-households-filtered')

    // The file of the first one.
    await rows.first().locator('td').nth(2).click()
    await page.waitForURL(/\/households\/\d+/)
    await page.locator('[data-test=file-summary]').waitFor()
    assert.match(await page.locator('[data-test=file-summary]').innerText(), /保障缺口/)
    await page.locator('[data-test=file-basic]').waitFor()
    await shot(page, '51-registry-file-basic')
    await page.locator('.el-tabs__item', { hasText: '家庭成员' }).click()
    await page.locator('[data-test=members-table] .el-table__body tr').first().waitFor()
    await page.locator('.el-tabs__item', { hasText: '收入与保障' }).click()
    await page.locator('[data-test=guarantees] li.gap').first().waitFor()
    await shot(page, '52-registry-file-income')

    // 新增农户 with two members.
    const village = (await api(page, `/regions/${VILLAGE}`)).body
    const town = (await api(page, `/regions/${TOWN}`)).body
    await page.goto(server.url + '/households')
    await page.locator('[data-test=household-create]').click()
    const dlg = page.locator('.el-dialog:visible')
    await dlg.waitFor()
    await dlg.locator('[data-test=hh-region] .el-cascader').click()
    const panel = page.locator('.el-cascader__dropdown:visible')
    await panel.locator('.el-cascader-node', { hasText: '响水县' }).locator('.el-cascader-node__label').click()
    await panel.locator('.el-cascader-node', { hasText: town.name }).locator('.el-cascader-node__label').click()
    const vnode = panel.locator('.el-cascader-node', { hasText: village.name })
    await vnode.waitFor()
    await vnode.locator('.el-radio').click()
    await page.keyboard.press('Escape')
    await dlg.locator('input[data-test=hh-no]').fill(householdNo)
    await dlg.locator('input[data-test=hh-head-name]').fill(headName)
    await dlg.locator('input[data-test=hh-head-id]').fill(headId.slice(0, 17) + (headId[17] === '0' ? '1' : '0'))
    assert.match(await dlg.locator('[data-test=id-hint]').first().innerText(), /校验位不正确/)
    await dlg.locator('input[data-test=hh-head-id]').fill(headId)
    assert.match(await dlg.locator('[data-test=id-hint]').first().innerText(), /1972-03-14，男/)
    await dlg.locator('input[data-test=hh-group]').fill('3组')
    await dlg.locator('input[data-test=hh-phone]').fill('13900001111')
    await dlg.locator('input[data-test=hh-address]').fill(`${village.name}3组18号`)
    await choose(page, dlg.locator('[data-test=hh-type]'), '低保户')
    await choose(page, dlg.locator('[data-test=hh-causes]'), '因病')
    await page.keyboard.press('Escape')
    await dlg.locator('input[data-test=hh-income-per_capita]').fill('4,800.50')
    await dlg.locator('input[data-test=hh-income-wage]').fill('2600')
    await dlg.locator('input[data-test=hh-income-transfer]').fill('2200.50')
    await dlg.locator('[data-guarantee=housing] .el-radio-button', { hasText: '未保障' }).click()
    await dlg.locator('input[data-test=m-id-1]').fill(spouseId)
    await dlg.locator('input[data-test=m-name-1]').fill('测试配偶')
    assert.equal(await dlg.locator('input[data-test=m-id-0]').inputValue(), headId, 'the head row mirrors the head fields')
    await dlg.evaluate((el) => el.closest('.el-overlay-dialog')?.scrollTo(0, 0))
    await shot(page, '53-registry-household-create')
    await dlg.evaluate((el) => el.closest('.el-overlay-dialog')?.scrollTo(0, 10000))
    await shot(page, '53b-registry-household-create-members')
    await dlg.locator('[data-test=household-submit]').click()
    await page.waitForURL(/\/households\/\d+/)
    created = Number(page.url().match(/\/households\/(\d+)/)[1])
    await page.locator('[data-test=file-status]').waitFor()
    assert.equal((await page.locator('[data-test=file-status]').innerText()).trim(), '申请纳入')
    assert.match(await page.locator('[data-test=open-procedure]').innerText(), /纳入/)
    const file = await api(page, `/households/${created}`)
    assert.equal(file.body.members.length, 2)
    assert.equal(file.body.household.income.per_capita_fen, 480050)
    assert.equal(file.body.household.guarantees.housing, 'gap')
    await page.locator('.el-tabs__item', { hasText: '家庭成员' }).click()
    await page.locator('[data-test=members-table] .el-table__body tr').nth(1).waitFor()
    assert.match(await page.locator('[data-test=members-table]').innerText(), /1974-08-22/)
    await page.locator('.el-tabs__item', { hasText: '程序' }).click()
    await page.locator('[data-test=procedure-steps]').first().waitFor()
    await shot(page, '54-registry-file-procedure')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('the village cadre signs the registration up to the publicity, which blocks approval', async () => {
    assert.ok(created, 'the household of the previous test')
    const page = await newPage(browser)
    await signInOK(page, server.url, cadre)
    assert.match(await page.locator('[data-test=inbox-badge]').first().innerText(), /^\d+\+?$/, 'the menu shows how many wait')
    await page.locator('[data-menu=procedures]').click()
    await page.waitForURL(/\/procedures/)
    const row = page.locator('[data-test=procedures-table] .el-table__body tr', { hasText: headName })
    await row.waitFor()
    assert.match(await row.innerText(), /农户申请/)
    await shot(page, '55-registry-inbox')
    await row.locator('[data-test=procedure-open]').click()
    await page.waitForURL(/\/procedures\/\d+/)
    const label = page.locator('[data-test=current-step-label]')

    const attachment = Buffer.from(`入户核实记录 ${householdNo}\n`)
    const sha = createHash('sha256').update(attachment).digest('hex')
    for (const [i, step, nextStep] of [
      [0, '农户申请', '村民小组提名'],
      [1, '村民小组提名', '村民代表评议'],
      [2, '村民代表评议', '村两委审核公示'],
    ]) {
      await page.waitForFunction((s) => document.querySelector('[data-test=current-step-label]')?.textContent?.trim() === s, step)
      await page.locator('[data-test=sign-open]').click()
      const dlg = page.locator('.el-dialog:visible')
      await dlg.waitFor()
      await dlg.locator('textarea[data-test=sign-opinion]').fill(`经核实，情况属实，同意（第${i + 1}步）`)
      if (i === 0) {
        await dlg.locator('[data-test=sign-file]').setInputFiles({ name: '核实记录.txt', mimeType: 'text/plain', buffer: attachment })
        await dlg.locator('[data-test=sign-attachment-sha]').waitFor()
        assert.match(await dlg.locator('[data-test=sign-attachment-sha]').innerText(), new RegExp(sha))
        await shot(page, '56-registry-sign-dialog')
      }
      await dlg.locator('[data-test=sign-submit]').click()
      await dlg.waitFor({ state: 'hidden' })
      await page.waitForFunction((s) => document.querySelector('[data-test=current-step-label]')?.textContent?.trim() === s, nextStep)
    }
    assert.equal(await page.locator('[data-test=signature-attachment]').count(), 1)

    // The publicity step: no notice yet, then the 7-day period, then an objection.
    const blocked = page.locator('[data-test=procedure-blocked]')
    await blocked.waitFor()
    assert.match(await blocked.innerText(), /公示/)
    await page.locator('[data-test=publish-notice]').click()
    let dlg = page.locator('.el-dialog:visible')
    await dlg.waitFor()
    await dlg.locator('[data-test=prompt-submit]').click()
    await dlg.waitFor({ state: 'hidden' })
    await page.waitForFunction(() => /公示期未满/.test(document.querySelector('[data-test=procedure-blocked]')?.textContent ?? ''))
    assert.match(await page.locator('[data-test=notice-countdown]').innerText(), /6 天 23 小时|7 天 0 小时/)
    assert.match(await label.innerText(), /村两委审核公示/)

    // Approving anyway is refused with the same reason.
    await page.locator('[data-test=sign-open]').click()
    dlg = page.locator('.el-dialog:visible')
    await dlg.waitFor()
    await dlg.locator('[data-test=sign-approve]').click()
    await dlg.locator('[data-test=sign-submit]').click()
    await dlg.locator('[data-test=sign-error]').waitFor()
    assert.match(await dlg.locator('[data-test=sign-error]').innerText(), /公示期未满/)
    await dlg.locator('.el-dialog__footer .el-button', { hasText: '取消' }).click()
    await dlg.waitFor({ state: 'hidden' })

    await page.locator('[data-test=lodge-objection]').click()
    dlg = page.locator('.el-dialog:visible')
    await dlg.waitFor()
    await dlg.locator('textarea[data-test=prompt-content]').fill('该户家中有小轿车一辆，不符合纳入条件。')
    await dlg.locator('input[data-test=prompt-contact]').fill('村民王某')
    await dlg.locator('[data-test=prompt-submit]').click()
    await dlg.waitFor({ state: 'hidden' })
    await page.waitForFunction(() => /异议/.test(document.querySelector('[data-test=procedure-blocked]')?.textContent ?? ''))
    await shot(page, '57-registry-procedure-blocked')
    await page.locator('[data-test=answer-objection]').click()
    dlg = page.locator('.el-dialog:visible')
    await dlg.waitFor()
    await dlg.locator('textarea[data-test=prompt-answer]').fill('经核实，车辆为亲属所有，不影响认定。')
    await dlg.locator('[data-test=prompt-submit]').click()
    await dlg.waitFor({ state: 'hidden' })
    await page.locator('[data-test=objection-answer]').waitFor()
    await page.waitForFunction(() => /公示期未满/.test(document.querySelector('[data-test=procedure-blocked]')?.textContent ?? ''))
    await shot(page, '58-registry-procedure-answered')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('statistics, yearly adjustment and import with a report', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, county)
    await page.locator('[data-menu=registry-stats]').click()
    await page.waitForURL(/\/registry\/stats/)
    await page.locator('[data-test=stats-bar] canvas').waitFor()
    await page.locator('[data-test=stats-cause] canvas').waitFor()
    await page.locator('[data-test=stats-table] .el-table__body tr').first().waitFor()
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-stat=registered] .card-value')?.textContent ?? ''))
    await shot(page, '59-registry-stats')
    await page.setViewportSize({ width: 1366, height: 1500 })
    await page.waitForTimeout(300)
    await shot(page, '59b-registry-stats-full')
    await page.setViewportSize({ width: 1366, height: 768 })

    await page.locator('[data-menu=adjustment]').click()
    await page.waitForURL(/\/adjustment/)
    const exits = page.locator('[data-test=exits-table] .el-table__body tr')
    await exits.first().waitFor()
    assert.match(await page.locator('[data-test=income-line-value]').innerText(), /\d/)
    // Start an exit procedure for one proposed household that has none open yet.
    const open = await api(page, `/procedures?status=open&kind=exit&limit=200`)
    const busy = new Set(open.body.items.map((p) => p.household_no))
    const nos = await page.locator('[data-test=exits-table] .el-table__body tr td:nth-child(2)').allInnerTexts()
    const i = nos.findIndex((no) => !busy.has(no.trim()))
    assert.ok(i >= 0, 'a proposed household without an open exit procedure')
    await exits.nth(i).locator('.el-checkbox').click()
    await page.locator('[data-test=start-exits]').click()
    let dlg = page.locator('.el-dialog:visible')
    await dlg.waitFor()
    await dlg.locator('[data-test=prompt-submit]').click()
    await dlg.waitFor({ state: 'hidden' })
    await page.locator('.el-message--success', { hasText: '已发起 1 个脱贫程序' }).waitFor()
    await page.locator('[data-test=rechecks-table] .el-table__body tr').first().waitFor()
    await shot(page, '60-registry-adjustment')

    // Import: a file with one bad ID number is rejected as a whole, with line and reason.
    await page.goto(server.url + '/exchange?kind=households')
    await page.locator('[data-test=import-kind] [data-kind=households]').waitFor()
    await page.locator('[data-test=kind-columns] .el-table__body tr').first().waitFor()
    const good1 = idNumber(`32092119650607${seq.slice(0, 2)}3`)
    const good2 = idNumber(`32092119800110${seq.slice(0, 2)}5`)
    const bad = good2.slice(0, 17) + (good2[17] === '0' ? '1' : '0')
    const header = 'household_no,village_code,head_name,head_id_number,household_type,causes,income_per_capita_yuan,income_year\n'
    const badCSV = header + `${householdNo}A,${VILLAGE},导入甲,${good1},general,illness,5200.00,2025\n${householdNo}B,${VILLAGE},导入乙,${bad},dibao,labour,4100.50,2025\n`
    await page.locator('[data-test=import-file]').setInputFiles({ name: '农户-有错.csv', mimeType: 'text/csv', buffer: Buffer.from(badCSV) })
    await page.locator('[data-test=import-start]').click()
    const report = page.locator('[data-test=import-report]')
    await report.waitFor()
    assert.equal(await report.getAttribute('data-committed'), 'false')
    const rej = page.locator('[data-test=rejected-table] .el-table__body tr')
    assert.equal(await rej.count(), 1)
    const cells = await rej.first().locator('td').allInnerTexts()
    assert.equal(cells[0].trim(), '3', 'the bad row is line 3 (header is line 1)')
    assert.match(cells[1], /户主身份证号/)
    assert.match(cells[2], /校验位/)
    assert.equal(await page.locator('[data-test=read-progress]').getAttribute('aria-valuenow'), '100')
    assert.equal(await page.locator('[data-test=upload-progress]').getAttribute('aria-valuenow'), '100')
    await shot(page, '61-registry-import-rejected')

    const goodCSV = header + `${householdNo}A,${VILLAGE},导入甲,${good1},general,illness,5200.00,2025\n${householdNo}B,${VILLAGE},导入乙,${good2},dibao,labour,4100.50,2025\n`
    await page.locator('[data-test=import-file]').setInputFiles({ name: '农户-正确.csv', mimeType: 'text/csv', buffer: Buffer.from(goodCSV) })
    await page.locator('[data-test=import-start]').click()
    await page.waitForFunction(() => document.querySelector('[data-test=import-report]')?.getAttribute('data-committed') === 'true')
    assert.match(await page.locator('[data-count=inserted]').innerText(), /2/)
    assert.equal(await page.locator('[data-test=rejected-table]').count(), 0)
    await shot(page, '62-registry-import-committed')
    const found = await api(page, `/households?q=${encodeURIComponent(householdNo + 'B')}`)
    assert.equal(found.body.items.length, 1)
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('the household card and the exit form print on exactly one A4 page', async () => {
    assert.ok(created, 'the household of the first test')
    const page = await newPage(browser)
    await signInOK(page, server.url, county)
    // An exit procedure with signatures: the demo's first one in the county.
    const procs = await api(page, `/procedures?kind=exit&region=${COUNTY}&limit=50`)
    let exit = null
    for (const p of procs.body.items) {
      const full = await api(page, `/procedures/${p.id}`)
      if (!exit || full.body.signatures.length > exit.signatures.length) exit = full.body
      if (exit.signatures.length >= 4) break
    }
    assert.ok(exit && exit.signatures.length > 0, 'an exit procedure with signatures')
    mkdirSync(screenshotDir, { recursive: true })

    for (const [path, name, sheet] of [
      [`/print/card/${created}`, '63-registry-print-card', '[data-test=card-form]'],
      [`/print/exit/${exit.id}`, '64-registry-print-exit', '[data-test=exit-form]'],
    ]) {
      await page.goto(server.url + path)
      await page.locator(sheet).waitFor()
      assert.equal(await page.locator('.topbar').count(), 0, 'no console chrome')
      assert.ok(await page.locator('[data-test=print-button]').isVisible())
      await shot(page, name)
      await page.emulateMedia({ media: 'print' })
      assert.equal(await page.locator('[data-test=print-button]').isVisible(), false, 'the print button is hidden in print')
      await page.setViewportSize({ width: 794, height: 1123 }) // A4 at 96 dpi
      await page.screenshot({ path: join(screenshotDir, name + '-print.png'), fullPage: true })
      await page.setViewportSize({ width: 1366, height: 768 })
      const pdf = await page.pdf({ format: 'A4', printBackground: true })
      await page.emulateMedia({ media: 'screen' })
      writeFileSync(join(screenshotDir, name + '.pdf'), pdf)
      assert.equal(pdfPages(pdf), 1, `${path} prints on one page`)
      assert.ok(pdf.length > 20000, `${path} PDF is ${pdf.length} bytes`)
    }
    // The exit form carries the signatures: a filled box per signed step.
    await page.goto(server.url + `/print/exit/${exit.id}`)
    await page.locator('[data-test=exit-form]').waitFor()
    const signed = await page.locator('[data-signed=true]').count()
    const approved = new Set(exit.signatures.filter((s) => s.decision === 'approve' && (exit.status === 'done' || s.step < exit.step)).map((s) => s.step))
    assert.equal(signed, approved.size)
    assert.ok(signed >= 1)
    assert.match(await page.locator('[data-test=exit-form]').innerText(), new RegExp(exit.signatures[0].user_name))
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })
})
