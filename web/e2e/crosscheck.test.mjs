// 信息比对 against a real server: a county civil-affairs user registers a small vehicle dataset
// made here (a car owned by one registry member of 响水县, a motorcycle owned by another),
// starts a run with it and finds exactly one doubt — the car's; the county poverty office
// dispatches the doubt and records an explained outcome with an evidence attachment; the
// civil-affairs user raises a rule threshold and sees a new rule version; the household file
// shows the doubt and records a signed authorisation with its scan.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { deflateSync, crc32 } from 'node:zlib'
import { apiSession, launchBrowser, newPage, shot, signInOK, startServer } from './server.mjs'

const COUNTY = '320921000000'
const CIVIL = 'civil_affairs_320921'
const OFFICE = 'poverty_office_320921'

// A tiny grey PNG (a "scan"), distinct per seed so every upload has its own SHA-256.
function png(seed) {
  const w = 24
  const h = 16
  const raw = Buffer.alloc((w * 3 + 1) * h, 0xee)
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0
    raw[y * (w * 3 + 1) + 1 + (seed % w) * 3] = y * 9
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(td) >>> 0)
    return Buffer.concat([len, td, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8
  ihdr[9] = 2
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

// Two registered households of the county with no doubts yet, and one active member of each.
async function pickMembers(office) {
  const list = await office.get(`/households?region=${COUNTY}&status=registered&limit=100`)
  assert.equal(list.status, 200, JSON.stringify(list.body))
  const out = []
  for (const h of list.body.items) {
    const d = await office.get(`/doubts?household_id=${h.id}&limit=1`)
    assert.equal(d.status, 200, JSON.stringify(d.body))
    if (d.body.items.length) continue
    const file = await office.get(`/households/${h.id}`)
    assert.equal(file.status, 200)
    const m = (file.body.members ?? []).find((x) => x.active && /^\d{17}[\dX]$/.test(x.id_number))
    if (!m) continue
    out.push({ household: file.body.household ?? h, member: m })
    if (out.length === 2) return out
  }
  throw new Error('no two registered households without doubts in the demo county')
}

async function pick(page, selectTest, text) {
  await page.locator(`[data-test=${selectTest}]`).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

describe('cross-checks (信息比对)', () => {
  let server
  let browser
  let civil
  let office
  let car
  let moto
  let datasetName
  let runId
  let doubtId

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    civil = await apiSession(server.url, CIVIL)
    office = await apiSession(server.url, OFFICE)
    ;[car, moto] = await pickMembers(office)
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('civil affairs registers a vehicle dataset, runs it and finds the car but not the motorcycle', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, CIVIL)
    await page.locator('[data-menu-group="menu.crosscheck"] .el-sub-menu__title').click()
    await page.locator('[data-test=menu] [data-menu=cc-datasets]').click()
    await page.waitForURL(/\/crosscheck\/datasets/)
    await page.locator('[data-test=datasets-table]').waitFor()

    // The file: a header with the words departments use, a car, a motorcycle, and one row
    // with a broken ID number that is rejected.
    datasetName = `vehicles-e2e-${Date.now()}.csv`
    const csv = [
      '身份证号,姓名,号牌号码,车辆类型,登记日期',
      `${car.member.id_number},${car.member.name},苏J·E2E01,小型轿车,2025-03-15`,
      `${moto.member.id_number},${moto.member.name},苏J·E2E02,普通二轮摩托车,2025-04-02`,
      '12345,无名,苏J·E2E03,小型轿车,2025-05-01',
      '',
    ].join('\n')
    await page.locator('[data-test=dataset-register]').click()
    const dlg = page.locator('[data-test=dataset-dialog]')
    await dlg.waitFor()
    await pick(page, 'dataset-kind', '机动车登记')
    await dlg.locator('[data-test=dataset-columns]').waitFor()
    await dlg.locator('input[data-test=dataset-source]').fill('响水县公安局交警大队')
    await dlg.locator('input[data-test=dataset-file]').setInputFiles({ name: datasetName, mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') })
    await dlg.locator('[data-test=dataset-submit]').click()
    const summary = dlg.locator('[data-test=dataset-report-summary]')
    await summary.waitFor({ timeout: 30000 })
    assert.match(await summary.innerText(), /共 3 行/)
    assert.match(await summary.innerText(), /命中在档成员 2 行/)
    await dlg.locator('[data-test=dataset-rejected-rows] .el-table__body tr').first().waitFor()
    await shot(page, 'cc-01-dataset-registered')
    await dlg.locator('.el-dialog__footer button', { hasText: '关闭' }).click()
    await page.locator('[data-test=datasets-table] .el-table__body tr', { hasText: datasetName }).waitFor()
    await shot(page, 'cc-02-datasets')

    // Start a run with just this dataset, households without authorisation included.
    await page.locator('[data-test=menu] [data-menu=cc-runs]').click()
    await page.waitForURL(/\/crosscheck\/runs/)
    await page.locator('[data-test=run-start]').click()
    const run = page.locator('[data-test=run-dialog]')
    await run.waitFor()
    await pick(page, 'run-datasets', datasetName)
    await run.locator('.note').click() // close the dropdown
    await run.locator('[data-test=run-include]').click()
    await run.locator('[data-test=run-submit]').click()
    await run.locator('[data-test=run-done]').waitFor({ timeout: 60000 })
    await shot(page, 'cc-03-run-done')
    const runs = await civil.get('/crosscheck/runs?limit=5')
    runId = runs.body.items[0].id
    assert.equal(runs.body.items[0].status, 'done')
    assert.equal(runs.body.items[0].datasets.length, 1)
    assert.equal(runs.body.items[0].include_unauthorised, true)
    assert.equal(runs.body.items[0].doubts_found, 1, JSON.stringify(runs.body.items[0]))
    await run.locator('.el-dialog__footer button', { hasText: '关闭' }).click()
    await page.locator('[data-test=runs-table] [data-test=run-id]', { hasText: String(runId) }).waitFor()
    await shot(page, 'cc-04-runs')

    // The run's doubts: exactly the car's.
    await page.locator('[data-test=runs-table] .el-table__body tr').first().locator('[data-test=run-doubts-link]').click()
    await page.waitForURL(new RegExp(`/crosscheck/doubts\\?run=${runId}`))
    const rows = page.locator('[data-test=doubts-table] .el-table__body tr')
    await rows.first().waitFor()
    assert.equal(await rows.count(), 1)
    const text = await rows.first().innerText()
    assert.ok(text.includes(car.member.name), text)
    assert.ok(text.includes(car.member.id_number.slice(0, 6) + '********'), 'the member ID number is masked: ' + text)
    assert.ok(!text.includes(car.member.id_number), 'the full ID number is not in the list')
    const api = await civil.get(`/doubts?run=${runId}`)
    assert.equal(api.body.items.length, 1)
    assert.equal(api.body.items[0].member_id, car.member.id)
    assert.equal(api.body.items[0].rule_key, 'vehicle')
    assert.ok(!api.body.items.some((d) => d.member_id === moto.member.id), 'no doubt for the motorcycle')
    doubtId = api.body.items[0].id

    // The export link carries the filters: the run's one doubt as CSV.
    await page.locator('[data-test=doubts-export] button').click()
    const href = await page.locator('[data-test=export-csv]').getAttribute('href')
    assert.match(href, new RegExp(`run=${runId}`))
    assert.match(href, /format=csv/)
    const csvOut = await page.evaluate(async (u) => {
      const r = await fetch(u)
      return { status: r.status, type: r.headers.get('content-type'), text: await r.text() }
    }, href)
    assert.equal(csvOut.status, 200)
    assert.match(csvOut.type, /text\/csv/)
    const lines = csvOut.text.trim().split(/\r?\n/)
    assert.equal(lines.length, 2, csvOut.text)
    assert.ok(lines[1].includes(car.member.name))
    await page.keyboard.press('Escape')
    await page.locator('[data-test=doubt-chart] canvas').waitFor()
    await shot(page, 'cc-05-doubts')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('the poverty office dispatches the doubt and records an explained outcome with evidence', async () => {
    assert.ok(doubtId, 'the first test found the doubt')
    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    await page.goto(`${server.url}/crosscheck/doubts/${doubtId}`)
    await page.locator('[data-test=doubt-summary]').waitFor()
    assert.match(await page.locator('[data-test=doubt-explanation]').innerText(), new RegExp(car.member.name))
    await page.locator('[data-test=evidence-table] .el-table__body tr').first().waitFor()
    assert.match(await page.locator('[data-test=evidence-table]').innerText(), /苏J·E2E01/)
    await shot(page, 'cc-06-doubt')

    await page.locator('[data-test=doubt-dispatch]').click()
    const dd = page.locator('[data-test=dispatch-dialog]')
    await dd.waitFor()
    assert.equal(await dd.locator('input[data-test=prompt-days]').inputValue(), '15')
    await dd.locator('textarea[data-test=prompt-note]').fill('请核实车辆是否为本人所有及使用情况')
    await dd.locator('[data-test=prompt-submit]').click()
    await page.waitForFunction(() => /^\d{4}-\d{2}-\d{2}$/.test(document.querySelector('[data-test=doubt-deadline]')?.textContent?.trim() ?? ''))
    assert.equal(await page.locator('[data-test=doubt-summary] [data-status]').first().getAttribute('data-status'), 'dispatched')

    await page.locator('[data-test=doubt-outcome]').click()
    const od = page.locator('[data-test=outcome-dialog]')
    await od.waitFor()
    // Confirmed warns that it starts the removal procedure; explained is chosen.
    await od.locator('[data-outcome=confirmed]').click()
    await od.locator('[data-test=outcome-confirm-warn]').waitFor()
    await shot(page, 'cc-07-outcome-confirm-warning')
    await od.locator('[data-outcome=explained]').click()
    await od.locator('textarea[data-test=outcome-reason]').fill('经入户核实，该车辆已于去年转让给他人，提供转让合同为证。')
    await od.locator('input[data-test=outcome-attachment-file]').setInputFiles({ name: '车辆转让合同.png', mimeType: 'image/png', buffer: png(3) })
    await od.locator('[data-test=outcome-attachment-done]').waitFor()
    await od.locator('[data-test=outcome-submit]').click()
    await od.waitFor({ state: 'hidden' })
    await page.locator('[data-test=doubt-summary] [data-status=explained]').waitFor()
    await page.locator('[data-test=doubt-attachment]').waitFor()
    assert.match(await page.locator('[data-test=doubt-reason]').innerText(), /转让/)
    await page.locator('[data-test=doubt-history] .el-table__body tr').nth(1).waitFor()
    await shot(page, 'cc-08-doubt-explained')
    const d = await office.get(`/doubts/${doubtId}`)
    assert.equal(d.body.status, 'explained')
    assert.ok(d.body.attachment_id > 0)
    assert.equal(d.body.procedure_id, null)
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('civil affairs raises a threshold and gets a new rule version', async () => {
    const before = await civil.get('/crosscheck/rules')
    assert.equal(before.status, 200)
    const page = await newPage(browser)
    await signInOK(page, server.url, CIVIL)
    await page.goto(server.url + '/crosscheck/rules')
    await page.locator('[data-test=rules-table] .el-table__body tr').first().waitFor()
    await page.locator('[data-test=rule-edit][data-rule=farm_machinery]').click()
    const rd = page.locator('[data-test=rule-dialog]')
    await rd.waitFor()
    const value = rd.locator('input[data-test=param-min_value_fen]')
    assert.equal(await value.inputValue(), '50000.00', 'the threshold shows in yuan')
    await value.fill('80000')
    await shot(page, 'cc-09-rule-edit')
    await rd.locator('[data-test=rule-apply]').click()
    await rd.waitFor({ state: 'hidden' })
    await page.locator('[data-test=rule-thresholds][data-rule=farm_machinery]', { hasText: '80,000.00' }).waitFor()
    await page.locator('[data-test=rules-save]').click()
    const sd = page.locator('[data-test=rules-save-dialog]')
    await sd.waitFor()
    await sd.locator('textarea[data-test=rules-note]').fill('按本县农机价格调整')
    await sd.locator('[data-test=rules-save-submit]').click()
    await sd.waitFor({ state: 'hidden' })
    const after = await civil.get('/crosscheck/rules')
    assert.ok(after.body.id > 0)
    assert.ok(after.body.version >= 1)
    assert.notEqual(after.body.id, before.body.id)
    assert.equal(after.body.rules.find((r) => r.key === 'farm_machinery').params.min_value_fen, 8_000_000, 'stored in fen')
    await page.locator('[data-test=rules-version]', { hasText: `第 ${after.body.version} 版` }).waitFor()
    await page.locator('[data-test=rules-versions] .el-table__body tr', { hasText: '按本县农机价格调整' }).waitFor()
    await shot(page, 'cc-10-rules')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('the household file shows the doubt and records an authorisation', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    const hid = car.member.household_id
    await page.goto(`${server.url}/households/${hid}?tab=crosscheck`)
    const tab = page.locator('[data-test=household-crosscheck]')
    await tab.waitFor()
    await tab.locator('[data-test=household-doubts] .el-table__body tr').first().waitFor()
    assert.match(await tab.locator('[data-test=household-doubts]').innerText(), /已说明/)
    const before = (await office.get(`/households/${hid}/authorisations`)).body ?? []
    await tab.locator('[data-test=auth-add]').click()
    const ad = page.locator('[data-test=auth-dialog]')
    await ad.waitFor()
    await ad.locator('input[data-test=auth-scan-file]').setInputFiles({ name: '授权委托书.png', mimeType: 'image/png', buffer: png(7) })
    await ad.locator('[data-test=auth-scan-done]').waitFor()
    await ad.locator('textarea[data-test=auth-note]').fill('户主本人签字')
    await ad.locator('[data-test=auth-submit]').click()
    await ad.waitFor({ state: 'hidden' })
    await tab.locator('[data-test=auth-table] .el-table__body tr', { hasText: '户主本人签字' }).waitFor()
    assert.equal(await tab.locator('[data-test=auth-state]').getAttribute('data-active'), 'true')
    const now = (await office.get(`/households/${hid}/authorisations`)).body
    assert.equal(now.length, before.length + 1)
    await shot(page, 'cc-11-household-authorisation')

    // The list of households without authorisation opens.
    await page.goto(server.url + '/crosscheck/unauthorised')
    await page.locator('[data-test=unauth-table]').waitFor()
    await shot(page, 'cc-12-unauthorised')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })
})
