package demo

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/crosscheck"
	"sunshine/internal/db"
	"sunshine/internal/idcard"
)

// CrosscheckSummary is what Crosscheck loaded.
type CrosscheckSummary struct {
	Authorisations int
	Datasets       int
	Doubts         int64
}

// demoOperator registers the demo datasets as the city (the command line's kind of principal).
var demoOperator = &auth.Principal{Username: "demo", Name: "演示数据", Role: auth.Admin, Root: true}

type ccMember struct {
	id, name  string
	household int64
}

// Crosscheck gives the demo city's cross-checks something to show: signed authorisations for
// nine households in ten, one small generated file per dataset kind (mostly people outside the
// registry, with planted findings and near-misses that raise nothing: a motorcycle, a resident
// pension, small deposits), one run, and some doubts dispatched and closed. It does nothing
// when datasets are already registered.
func Crosscheck(ctx context.Context, s *crosscheck.Service) (CrosscheckSummary, error) {
	var sum CrosscheckSummary
	var n int
	if err := s.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM datasets`).Scan(&n); err != nil || n > 0 {
		return sum, err
	}
	members, err := ccMembers(ctx, s.DB.Reader())
	if err != nil || len(members) == 0 {
		return sum, err
	}
	if sum.Authorisations, err = ccAuthorise(ctx, s.DB); err != nil {
		return sum, err
	}
	r := rand.New(rand.NewPCG(5, 2026))
	// The datasets arrived and the run happened twenty days ago, so doubts dispatched then are
	// overdue now.
	clock := s.DB.Clock
	defer func() { s.DB.Clock = clock }()
	s.DB.Clock = func() time.Time { return clock().AddDate(0, 0, -20) }
	today := db.Date(s.DB.Clock())
	for _, f := range ccFiles(r, members) {
		if _, _, err := s.AddDataset(ctx, demoOperator, crosscheck.DatasetInput{Kind: f.kind, SourceDept: f.dept, AsOf: today,
			FileName: string(f.kind) + ".csv"}, strings.NewReader(f.body.String())); err != nil {
			return sum, fmt.Errorf("demo dataset %s: %w", f.kind, err)
		}
		sum.Datasets++
	}
	run, err := s.RunNow(ctx, demoOperator, crosscheck.RunInput{}, nil)
	if err != nil {
		return sum, err
	}
	sum.Doubts = run.DoubtsNew
	return sum, ccVerify(ctx, s, run.ID, clock)
}

func ccMembers(ctx context.Context, q db.Queryer) ([]ccMember, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.id_number, m.name, m.household_id FROM members m JOIN households h ON h.id = m.household_id
		WHERE m.active = 1 AND m.deceased_on IS NULL AND h.status IN ('registered', 'exited') ORDER BY m.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ccMember
	for rows.Next() {
		var m ccMember
		if err := rows.Scan(&m.id, &m.name, &m.household); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ccAuthorise records an authorisation for nine households in ten (applying, registered and
// exited ones), each county's with one placeholder scan.
func ccAuthorise(ctx context.Context, d *db.DB) (int, error) {
	var n int
	err := d.InTx(ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		rows, err := tx.QueryContext(ctx, `SELECT id, region_code, registered_on FROM households
			WHERE status IN ('applying', 'registered', 'exited') ORDER BY id`)
		if err != nil {
			return err
		}
		type hh struct {
			id     int64
			region string
			on     sql.NullString
		}
		var all []hh
		for rows.Next() {
			var h hh
			if err := rows.Scan(&h.id, &h.region, &h.on); err != nil {
				rows.Close()
				return err
			}
			all = append(all, h)
		}
		rows.Close()
		scans := map[string]int64{}
		var auths [][]any
		for i, h := range all {
			if i%10 == 9 {
				continue
			}
			county := h.region[:6] + "000000"
			scan, ok := scans[county]
			if !ok {
				pdf := []byte("%PDF-1.4\n% 演示: 家庭经济状况核对授权委托书(扫描件)\n")
				if scan, err = tx.InsertID(ctx, `INSERT INTO attachments (sha256, name, content_type, size, data, region_code, uploaded_by, created_at)
					VALUES ('demo', '授权委托书(演示).pdf', 'application/pdf', ?, ?, ?, 0, ?) RETURNING id`, len(pdf), pdf, county, now); err != nil {
					return err
				}
				scans[county] = scan
			}
			signed := "2025-12-01"
			if h.on.Valid && h.on.String > "2000-01-01" && h.on.String < signed {
				signed = h.on.String
			}
			auths = append(auths, []any{h.id, h.region, signed, scan, "演示数据", 0, now})
		}
		n = len(auths)
		if err := db.BulkInsert(ctx, tx, "authorisations", []string{"household_id", "region_code", "signed_on", "attachment_id", "note",
			"recorded_by", "created_at"}, auths); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.System, audit.Change{Action: "demo.load", EntityType: "system", EntityID: "demo-authorisations",
			RegionCode: "320900000000", After: map[string]any{"authorisations": n}})
	})
	return n, err
}

type ccFile struct {
	kind crosscheck.Kind
	dept string
	body *strings.Builder
}

// ccFiles writes one CSV per kind: strangers (valid ID numbers outside the registry) and, for
// a small share of members, a planted finding or a near-miss.
func ccFiles(r *rand.Rand, members []ccMember) []ccFile {
	files := []ccFile{
		{crosscheck.KindVehicle, "市公安局交通警察支队", nil},
		{crosscheck.KindFarmMachinery, "市农业农村局", nil},
		{crosscheck.KindSocialInsur, "市人力资源和社会保障局", nil},
		{crosscheck.KindHousingFund, "市住房公积金管理中心", nil},
		{crosscheck.KindTax, "市税务局", nil},
		{crosscheck.KindRealEstate, "市自然资源和规划局(不动产登记中心)", nil},
		{crosscheck.KindDeposit, "人民银行盐城市分行", nil},
		{crosscheck.KindSecurities, "证券登记结算机构", nil},
		{crosscheck.KindBusiness, "市市场监督管理局", nil},
		{crosscheck.KindPublicEmployee, "市财政局", nil},
		{crosscheck.KindDeath, "市民政局(殡葬管理)", nil},
		{crosscheck.KindCadreRelative, "市纪委监委", nil},
	}
	headers := map[crosscheck.Kind]string{
		crosscheck.KindVehicle:        "身份证号,姓名,号牌号码,车辆类型,初次登记日期,价值(元)",
		crosscheck.KindFarmMachinery:  "身份证号,姓名,机具类型,登记日期,价值(元)",
		crosscheck.KindSocialInsur:    "公民身份号码,姓名,险种,参保单位,月缴费基数(元),缴费起始日期,缴费终止日期",
		crosscheck.KindHousingFund:    "身份证号码,姓名,缴存单位,月缴存额(元),账户余额(元),截至日期",
		crosscheck.KindTax:            "身份证号,姓名,纳税年度,应纳税所得额(元),已缴税额(元)",
		crosscheck.KindRealEstate:     "身份证号,姓名,不动产权证号,坐落,用途,建筑面积,登记日期",
		crosscheck.KindDeposit:        "证件号码,客户姓名,开户银行,存款余额(元),余额日期",
		crosscheck.KindSecurities:     "证件号码,客户姓名,证券公司,证券市值(元),市值日期",
		crosscheck.KindBusiness:       "身份证号,姓名,企业名称,统一社会信用代码,身份,注册资本(元)",
		crosscheck.KindPublicEmployee: "身份证号,姓名,工作单位,职务,入职日期,离职日期",
		crosscheck.KindDeath:          "身份证号,姓名,死亡日期",
		crosscheck.KindCadreRelative:  "id_number,name,cadre_id_number,cadre_name,cadre_position,relation",
	}
	byKind := map[crosscheck.Kind]*strings.Builder{}
	for i := range files {
		files[i].body = &strings.Builder{}
		files[i].body.WriteString(headers[files[i].kind] + "\n")
		byKind[files[i].kind] = files[i].body
	}
	line := func(k crosscheck.Kind, id, name string, rest ...any) {
		b := byKind[k]
		b.WriteString(id + "," + name)
		for _, v := range rest {
			fmt.Fprintf(b, ",%v", v)
		}
		b.WriteByte('\n')
	}
	date := func(y int) string {
		return time.Date(y, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC).Format(db.DateLayout)
	}
	for i, m := range members {
		switch p := r.IntN(1000); {
		case p < 15:
			line(crosscheck.KindVehicle, m.id, m.name, fmt.Sprintf("苏J%05d", i%100000), []string{"小型轿车", "car", "van", "truck"}[r.IntN(4)], date(2019+r.IntN(6)), 30000+r.IntN(120000))
		case p < 25:
			line(crosscheck.KindVehicle, m.id, m.name, fmt.Sprintf("苏J%05d", i%100000), []string{"motorcycle", "ebike", "farm"}[r.IntN(3)], date(2018+r.IntN(7)), 2000+r.IntN(6000))
		case p < 28:
			line(crosscheck.KindVehicle, m.id, m.name+"某", fmt.Sprintf("苏J%05d", i%100000), "ebike", date(2022), 3000) // name differs: a data error
		case p < 32:
			line(crosscheck.KindFarmMachinery, m.id, m.name, "联合收割机", date(2021), 60000+r.IntN(200000))
		case p < 40:
			line(crosscheck.KindFarmMachinery, m.id, m.name, "手扶拖拉机", date(2020), 3000+r.IntN(5000))
		case p < 48:
			line(crosscheck.KindSocialInsur, m.id, m.name, "employee_pension", "盐城某制造有限公司", 4000+r.IntN(3000), date(2024), "")
		case p < 70:
			line(crosscheck.KindSocialInsur, m.id, m.name, "resident_pension", "", 200, "2015-01-01", "")
		case p < 74:
			line(crosscheck.KindHousingFund, m.id, m.name, "盐城某物流有限公司", 600+r.IntN(800), 10000+r.IntN(50000), "2026-06-30")
		case p < 78:
			line(crosscheck.KindTax, m.id, m.name, 2025, 80000+r.IntN(200000), 2000+r.IntN(10000))
		case p < 81:
			line(crosscheck.KindRealEstate, m.id, m.name, fmt.Sprintf("苏(2023)盐城市不动产权第%07d号", i), "盐城市亭湖区某小区", "residential", 95, date(2023))
			line(crosscheck.KindRealEstate, m.id, m.name, fmt.Sprintf("苏(2024)盐城市不动产权第%07d号", i), "盐城市盐都区某小区", "住宅", 110, date(2024))
		case p < 83:
			line(crosscheck.KindRealEstate, m.id, m.name, fmt.Sprintf("苏(2022)盐城市不动产权第%07d号", i), "盐城市某商业街", "commercial", 60, date(2022))
		case p < 88:
			line(crosscheck.KindDeposit, m.id, m.name, "江苏银行", 200000+r.IntN(400000), "2026-06-30")
		case p < 110:
			line(crosscheck.KindDeposit, m.id, m.name, "农村商业银行", 500+r.IntN(8000), "2026-06-30")
		case p < 112:
			line(crosscheck.KindSecurities, m.id, m.name, "某证券公司", 150000+r.IntN(300000), "2026-06-30")
		case p < 115:
			line(crosscheck.KindBusiness, m.id, m.name, "盐城某贸易有限公司", fmt.Sprintf("91320900MA%08d", i%100000000), []string{"legal_rep", "shareholder"}[r.IntN(2)], 500000+r.IntN(2000000))
		case p < 117:
			line(crosscheck.KindPublicEmployee, m.id, m.name, "某镇人民政府", "科员", date(2020), "")
		case p < 120:
			line(crosscheck.KindDeath, m.id, m.name, date(2025))
		case p < 122:
			line(crosscheck.KindCadreRelative, m.id, m.name, idcard.Make("320902", time.Date(1975, 3, 1, 0, 0, 0, 0, time.UTC), r.IntN(500), idcard.Male),
				"某干部", "村党支部书记", []string{"spouse", "sibling", "child"}[r.IntN(3)])
		}
	}
	// People outside the registry: most of every real dataset.
	strangers := max(200, len(members)/10)
	for i := range strangers {
		id := idcard.Make([]string{"320902", "320903", "320981", "110101"}[i%4], time.Date(1950+r.IntN(55), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC),
			r.IntN(500), idcard.Sex(r.IntN(2)))
		for _, f := range files {
			if r.IntN(3) != 0 {
				continue
			}
			switch f.kind {
			case crosscheck.KindVehicle:
				line(f.kind, id, "王某", fmt.Sprintf("苏J%05d", i), "car", date(2020), 80000)
			case crosscheck.KindDeath:
				line(f.kind, id, "李某", date(2025))
			case crosscheck.KindDeposit:
				line(f.kind, id, "张某", "中国银行", r.IntN(500000), "2026-06-30")
			case crosscheck.KindSocialInsur:
				line(f.kind, id, "陈某", "employee_medical", "某公司", 5000, "2020-01-01", "")
			}
		}
	}
	return files
}

// ccVerify dispatches two doubts in three of the run (some long enough ago to be overdue) and
// closes some: explained ones with the county's scan as evidence, name mismatches as data errors.
func ccVerify(ctx context.Context, s *crosscheck.Service, run int64, now func() time.Time) error {
	rows, err := s.DB.Reader().QueryContext(ctx, `SELECT id, rule_key, data_error, region_code FROM doubts WHERE run_id = ? ORDER BY id`, run)
	if err != nil {
		return err
	}
	type doubt struct {
		id     int64
		rule   string
		de     int
		region string
	}
	var all []doubt
	for rows.Next() {
		var d doubt
		if err := rows.Scan(&d.id, &d.rule, &d.de, &d.region); err != nil {
			rows.Close()
			return err
		}
		all = append(all, d)
	}
	rows.Close()
	// A few hundred, spread over the city: each is its own transaction, and the city scale has
	// tens of thousands of doubts; the rest stay open (待派发).
	if step := len(all) / 400; step > 1 {
		var some []doubt
		for i := 0; i < len(all); i += step {
			some = append(some, all[i])
		}
		all = some
	}
	// Every fifth dispatch happened on the day of the run: past its deadline now, escalated.
	past := s.DB.Clock
	for i, d := range all {
		s.DB.Clock = now
		if i%5 == 0 {
			s.DB.Clock = past
		}
		switch {
		case d.de == 1:
			if _, err := s.Outcome(ctx, demoOperator, d.id, crosscheck.OutcomeInput{Outcome: "data_error", Reason: "经核对,部门数据中的姓名录入有误,已函告更正"}); err != nil {
				return err
			}
		case i%3 == 2:
			continue // left open: 待派发
		default:
			if _, err := s.Dispatch(ctx, demoOperator, d.id, crosscheck.DispatchInput{DeadlineDays: 10 + i%6, Note: "请村委会会同帮扶责任人入户核实"}); err != nil {
				return err
			}
			if i%7 == 0 {
				var scan int64
				if err := s.DB.Reader().QueryRowContext(ctx, `SELECT MIN(id) FROM attachments WHERE region_code = ? AND sha256 = 'demo'`,
					d.region[:6]+"000000").Scan(&scan); err != nil {
					return err
				}
				if _, err := s.Outcome(ctx, demoOperator, d.id, crosscheck.OutcomeInput{Outcome: "explained", Reason: "入户核实:相关财产已处置,提供了转让凭证", AttachmentID: scan}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
