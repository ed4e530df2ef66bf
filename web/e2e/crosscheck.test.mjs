// 信息比对 against a real server: a county civil-affairs user registers a small vehicle dataset
// made here (a car owned by one registry member of 响水县, a motorcycle owned by another),
// starts a run with it and finds exactly one doubt — the car's; the county poverty office
// dispatches the doubt and records an explained outcome with an evidence attachment; the
// civil-affairs user raises a rule threshold and sees a new rule version; the household file
// shows the doubt and records a signed authorisation with its scan. The doubt statistics follow
// the filter bar; rules are added (a server refusal shows on the rule's row), deleted, and an
// old version is opened read-only and restored; the audit view names the run's actions in
// Chinese; a retired dataset is greyed, no longer offered for runs, and its run still names it.
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
    // The group may already be open (the menu remembers open groups): open it only when closed.
    if (!(await page.locator('[data-test=menu] [data-menu=cc-datasets]').isVisible()))
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
    // The figures follow the filters: this run's one doubt, not the county's hundreds.
    await page.locator('[data-test=stats-filtered]').waitFor()
    await page.waitForFunction(() => document.querySelector('[data-stat=total] .card-value')?.textContent?.trim() === '1')
    const one = await civil.get(`/doubts/stats?run=${runId}`)
    const all = await civil.get('/doubts/stats')
    assert.equal(one.body.total.total, 1)
    assert.ok(all.body.total.total > 1, 'the unfiltered figures differ: ' + all.body.total.total)
    const ruleOnly = await civil.get(`/doubts/stats?rule=vehicle&status=explained`)
    assert.equal(ruleOnly.status, 200)
    assert.deepEqual(ruleOnly.body.rules.map((r) => r.rule_key), ruleOnly.body.total.total ? ['vehicle'] : [])
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
    assert.equal(await dd.locator('input[data-test=prompt-deadline_days]').inputValue(), '15')
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

  it('civil affairs adds a rule (the server names what is wrong), deletes it, and restores an old version', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, CIVIL)
    await page.goto(server.url + '/crosscheck/rules')
    await page.locator('[data-test=rules-table] .el-table__body tr').first().waitFor()
    const before = (await civil.get('/crosscheck/rules')).body

    // Add a second financial-assets rule; its months are left empty, which the server refuses.
    await page.locator('[data-test=rule-add]').click()
    const rd = page.locator('[data-test=rule-dialog]')
    await rd.waitFor()
    await pick(page, 'rule-check', '人均金融资产超过低保标准的倍数')
    assert.equal(await rd.locator('input[data-test=rule-key]').inputValue(), 'financial_assets_2')
    assert.equal(await rd.locator('input[data-test=param-months]').inputValue(), '24', 'thresholds start from the rule of the same check')
    await rd.locator('input[data-test=rule-label]').fill('家庭人均存款和证券超过 36 个月低保标准')
    await rd.locator('input[data-test=param-months]').fill('')
    await shot(page, 'cc-10a-rule-add')
    await rd.locator('[data-test=rule-apply]').click()
    await rd.waitFor({ state: 'hidden' })
    await page.locator('[data-test=rules-table] .el-table__body tr', { hasText: 'financial_assets_2' }).waitFor()
    await page.locator('[data-test=rules-save]').click()
    const sd = page.locator('[data-test=rules-save-dialog]')
    await sd.waitFor()
    await sd.locator('textarea[data-test=rules-note]').fill('增加 36 个月档')
    await sd.locator('[data-test=rules-save-submit]').click()
    const err = sd.locator('[data-test=rules-save-error]')
    await err.waitFor()
    const errText = await err.innerText()
    assert.match(errText, /financial_assets_2/)
    assert.match(errText, /月数/)
    assert.match(errText, /1 到 600/)
    await shot(page, 'cc-10b-rule-refused')
    await sd.locator('.el-dialog__footer button', { hasText: '取消' }).click()
    await page.locator('[data-test=rule-error][data-rule=financial_assets_2]', { hasText: '月数' }).waitFor()
    assert.equal((await civil.get('/crosscheck/rules')).body.version, before.version, 'nothing stored')

    // Fill the months: saved as a new version.
    await page.locator('[data-test=rule-edit][data-rule=financial_assets_2]').click()
    await rd.waitFor()
    await rd.locator('input[data-test=param-months]').fill('36')
    await rd.locator('[data-test=rule-apply]').click()
    await rd.waitFor({ state: 'hidden' })
    await page.locator('[data-test=rules-save]').click()
    await sd.waitFor()
    await sd.locator('textarea[data-test=rules-note]').fill('增加 36 个月档')
    await sd.locator('[data-test=rules-save-submit]').click()
    await sd.waitFor({ state: 'hidden' })
    const added = (await civil.get('/crosscheck/rules')).body
    assert.equal(added.version, before.version + 1)
    const fa2 = added.rules.find((r) => r.key === 'financial_assets_2')
    assert.equal(fa2?.params.months, 36)
    assert.equal(fa2?.scope, 'household')
    assert.equal(fa2?.check, 'financial_assets')

    // Delete it: another version without it.
    await page.locator('[data-test=rule-remove][data-rule=financial_assets_2]').click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await page.locator('[data-test=rules-table] .el-table__body tr', { hasText: 'financial_assets_2' }).waitFor({ state: 'detached' })
    await page.locator('[data-test=rules-save]').click()
    await sd.waitFor()
    await sd.locator('textarea[data-test=rules-note]').fill('取消 36 个月档')
    await sd.locator('[data-test=rules-save-submit]').click()
    await sd.waitFor({ state: 'hidden' })
    const removed = (await civil.get('/crosscheck/rules')).body
    assert.equal(removed.version, added.version + 1)
    assert.ok(!removed.rules.some((r) => r.key === 'financial_assets_2'))

    // Open the version that had it, read-only, and restore it as a new version.
    await page.locator(`[data-test=rules-version-open][data-version="${added.version}"][data-region="${added.region_code}"]`).click()
    const vd = page.locator('[data-test=rules-version-dialog]')
    await vd.waitFor()
    await vd.locator('[data-test=rules-version-table] .el-table__body tr', { hasText: 'financial_assets_2' }).waitFor()
    assert.equal(await vd.locator('input, textarea').count(), 0, 'read-only')
    await shot(page, 'cc-10c-rules-version')
    await vd.locator('[data-test=rules-restore]').click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await vd.waitFor({ state: 'hidden' })
    const restored = (await civil.get('/crosscheck/rules')).body
    assert.equal(restored.version, removed.version + 1)
    assert.deepEqual(restored.rules, added.rules)
    assert.match(restored.note, new RegExp(`恢复第 ${added.version} 版`))
    await page.locator('[data-test=rules-version]', { hasText: `第 ${restored.version} 版` }).waitFor()
    await page.locator('[data-test=rules-table] .el-table__body tr', { hasText: 'financial_assets_2' }).waitFor()
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

  it('the audit view names the cross-check actions in Chinese', async () => {
    assert.ok(runId, 'the first test ran')
    const page = await newPage(browser)
    await signInOK(page, server.url, 'auditor_city')
    await page.goto(server.url + '/audit')
    await page.locator('[data-test=audit-table]').waitFor()
    await page.locator('[data-test=audit-entity-type]').click()
    await page.keyboard.type('crosscheck_run')
    await page.keyboard.press('Enter')
    await page.locator('input[data-test=audit-entity-id]').fill(String(runId))
    await page.locator('input[data-test=audit-entity-id]').press('Enter')
    const start = page.locator('[data-test=audit-table] [data-action="crosscheck.run.start"]')
    await start.waitFor()
    assert.equal((await start.innerText()).trim(), '发起比对')
    assert.equal((await page.locator('[data-test=audit-table] [data-action="crosscheck.run"]').innerText()).trim(), '比对完成')
    await shot(page, 'cc-13-audit-actions')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('civil affairs retires the dataset: greyed, not offered for runs, its run still names it', async () => {
    const ds = (await civil.get('/datasets?limit=100')).body.items.find((d) => d.file_name === datasetName)
    assert.ok(ds, 'the registered dataset')
    const page = await newPage(browser)
    await signInOK(page, server.url, CIVIL)
    await page.goto(server.url + '/crosscheck/datasets')
    await page.locator(`[data-test=datasets-table] [data-dataset="${ds.id}"][data-retired=false]`).waitFor()
    // The city's datasets serve the county, but only the city retires them.
    const cityOnes = (await civil.get('/datasets?limit=100')).body.items.filter((d) => !d.region_code.startsWith('320921'))
    for (const c of cityOnes) assert.equal(await page.locator(`[data-test=dataset-retire][data-dataset="${c.id}"]`).count(), 0, `no retire button for city dataset ${c.id}`)
    await page.locator(`[data-test=dataset-retire][data-dataset="${ds.id}"]`).click()
    const rd = page.locator('[data-test=dataset-retire-dialog]')
    await rd.waitFor()
    await rd.locator('[data-test=prompt-submit]').click()
    await rd.locator('.el-form-item__error').first().waitFor() // a reason is required
    await rd.locator('textarea[data-test=prompt-reason]').fill('交警大队已提供更正后的数据')
    await rd.locator('[data-test=prompt-submit]').click()
    await rd.waitFor({ state: 'hidden' })
    const row = page.locator(`[data-test=datasets-table] [data-dataset="${ds.id}"][data-retired=true]`)
    await row.waitFor()
    assert.match(await row.innerText(), /已停用/)
    assert.match(await page.locator('[data-test=datasets-table] tr.retired-row').first().innerText(), new RegExp(datasetName.replace(/\./g, '\\.')))
    await shot(page, 'cc-14-dataset-retired')
    const after = await civil.get(`/datasets/${ds.id}`)
    assert.equal(after.body.retired, true)
    assert.equal(after.body.retired_reason, '交警大队已提供更正后的数据')
    assert.equal(after.body.file_missing, undefined, 'the file stays')

    // Not offered for a new run, refused if named; the run that read it still shows it.
    await page.goto(server.url + '/crosscheck/runs')
    await page.locator('[data-test=runs-table] [data-test=run-id]', { hasText: String(runId) }).waitFor()
    assert.match(await page.locator('[data-test=runs-table]').innerText(), new RegExp(datasetName.replace(/\./g, '\\.')))
    await page.locator('[data-test=run-start]').click()
    await page.locator('[data-test=run-dialog]').waitFor()
    await page.locator('[data-test=run-datasets]').click()
    await page.locator('.el-select-dropdown:visible').first().waitFor()
    assert.equal(await page.locator('.el-select-dropdown__item:visible', { hasText: datasetName }).count(), 0, 'a retired dataset is not offered')
    await page.keyboard.press('Escape')
    const refused = await civil.post('/crosscheck/runs', { dataset_ids: [ds.id], include_unauthorised: true })
    assert.equal(refused.status, 400)
    assert.match(refused.body.message + JSON.stringify(refused.body.fields ?? {}), /已停用/)
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })
})
