package disclosure

// Open data (开放数据): what the portal shows, as CSV files anyone may download and reuse, with
// the same masking as the JSON answers (they are written from the same queries: the masked
// households, the scrubbed notices, the fund use). Each file is UTF-8 with a BOM and Chinese
// headers, written by tabular's CSV writer (formula injection neutralised), cached like the
// JSON pages so a crawler pulling every village's file runs each query once per CacheTTL.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/money"
	"sunshine/internal/projects"
	"sunshine/internal/regioncode"
	"sunshine/internal/tabular"
)

// Dataset is one open data file of the catalogue.
type Dataset struct {
	Name        string   `json:"name"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	URL         string   `json:"url"`    // takes ?region=<12-digit code>
	Levels      []string `json:"levels"` // the region levels the file is published for
	Format      string   `json:"format"` // csv
}

// Catalogue lists the open data files (GET /api/v1/public/open).
type Catalogue struct {
	Datasets []Dataset `json:"datasets"`
}

var allLevels = []string{"city", "county", "town", "village"}

// Datasets are the open data files: the four written here, then the donation platform's
// (internal/giving) and the social forces' (internal/partners), so the portal's open-data page
// lists them all from one answer.
var Datasets = []Dataset{
	{Name: "households", Title: "建档立卡户(脱敏)", URL: "/api/v1/public/open/households.csv", Levels: []string{"town", "village"}, Format: "csv",
		Description: "在档及政策延续期内的脱贫户:户主姓名脱敏(张*明)、所在村、户类型、状态、家庭人数、帮扶责任人(脱敏);不含身份证号、电话、账号、住址和健康信息。按乡镇或村发布。"},
	{Name: "projects", Title: "扶贫项目", URL: "/api/v1/public/open/projects.csv", Levels: allLevels, Format: "csv",
		Description: "立项后(招标起)的扶贫项目:名称、类别、地点、年度、建设规模、实施单位、联农带农机制、绩效目标、预算与到位资金(元)、阶段、受益户数。"},
	{Name: "funds", Title: "资金使用", URL: "/api/v1/public/open/funds.csv", Levels: allLevels, Format: "csv",
		Description: "发放到户的资金,按资金和补贴项目汇总:受益户数、发放金额(元,两位小数,已扣除冲正),累计与本年。"},
	{Name: "notices", Title: "公示公告", URL: "/api/v1/public/open/notices.csv", Levels: allLevels, Format: "csv",
		Description: "公示中及近 30 天内结束的公示(纳入、退出、核销、返贫),文中姓名、身份证号、电话、账号已脱敏,附异议数。"},
	{Name: "needs", Title: "微心愿", URL: "/api/v1/public/open/needs.csv", Levels: allLevels, Format: "csv",
		Description: "各村发布的微心愿:所在村、户主(脱敏)、标题、内容、类型、目标金额(元)、物资或服务、状态、已认捐与已实现金额(元)、发布、截止与实现日期。"},
	{Name: "donations", Title: "社会捐赠", URL: "/api/v1/public/open/donations.csv", Levels: allLevels, Format: "csv",
		Description: "社会捐赠及去向:收据号、捐赠人(个人脱敏或匿名)、类型、受捐区划、金额或物资、数量、估值、接收日期、用途、已发放到户金额与数量、受益户数。"},
	{Name: "forces", Title: "社会帮扶力量", URL: "/api/v1/public/open/forces.csv", Levels: allLevels, Format: "csv",
		Description: "第三方机构(律师、记账、会计师事务所)和结对帮扶(人大代表、政协委员、村企结对):类别、名称、统一社会信用代码、区划、代表级别、服务项目或帮扶内容、起止日期、状态、承诺与已落实金额(元)、服务或活动次数;不含电话。"},
}

// openSet is one of the files written here.
type openSet struct {
	title  string
	ascii  string // the file name's ASCII stem for clients that ignore filename*
	levels []string
	header []string
	write  func(ctx context.Context, s *Service, q db.Queryer, code string, tw *tabular.Writer) error
}

var openSets = map[string]openSet{
	"households": {title: "建档立卡户(脱敏)", ascii: "households", levels: []string{"town", "village"},
		header: []string{"户主", "村", "村代码", "户类型", "状态", "家庭人数", "帮扶责任人"}, write: writeHouseholds},
	"projects": {title: "扶贫项目", ascii: "projects", levels: allLevels,
		header: []string{"项目编号", "项目名称", "项目类别", "项目子类", "地区代码", "地区", "年度", "建设规模", "实施单位", "联农带农机制",
			"绩效目标", "预算(元)", "到位资金(元)", "阶段", "受益户数"}, write: writeProjects},
	"funds": {title: "资金使用", ascii: "funds", levels: allLevels,
		header: []string{"资金编号", "资金名称", "资金类别", "资金来源", "资金年度", "补贴项目", "受益户数(累计)", "发放金额(元,累计)",
			"受益户数(本年)", "发放金额(元,本年)", "统计年度"}, write: writeFunds},
	"notices": {title: "公示公告", ascii: "notices", levels: allLevels,
		header: []string{"公示编号", "事项", "地区代码", "地区", "标题", "内容", "公示开始", "公示结束", "状态", "异议数", "未答复异议数"},
		write:  writeNotices},
}

// ParseOpenQuery reads an open data request's query: exactly one region, a 12-digit code.
// Other parameters are ignored (a browser's cache-buster must not break the download).
func ParseOpenQuery(q url.Values) (string, error) {
	vals := q["region"]
	if len(vals) > 1 {
		return "", errs.Field("region", "只能指定一个区划")
	}
	code := ""
	if len(vals) == 1 {
		code = strings.TrimSpace(vals[0])
	}
	if code == "" {
		return "", errs.Field("region", "请指定区划(region=12 位区划代码)")
	}
	if !regioncode.Valid(code) {
		return "", errs.Field("region", "区划代码须为 12 位数字")
	}
	return code, nil
}

// OpenFile is an encoded open data file.
type OpenFile struct {
	Name  string // the file name in Chinese: <地区>-<标题>-<日期>.csv
	ASCII string // the same in ASCII: <set>-<code>-<date>.csv
	Data  []byte // UTF-8 CSV with a BOM
}

// OpenCSV writes the open data file name for region code (cached). A region that does not
// exist, or whose level the file is not published for, is a 400 naming "region".
func (s *Service) OpenCSV(ctx context.Context, name, code string) (OpenFile, error) {
	set, ok := openSets[name]
	if !ok {
		return OpenFile{}, errs.E(errs.NotFound, "没有这个开放数据集: %s", name)
	}
	if !regioncode.Valid(code) {
		return OpenFile{}, errs.Field("region", "区划代码须为 12 位数字")
	}
	// The level follows from the code, so a wrong level is answered before the cache and the
	// database.
	if lv := string(regioncode.LevelOf(code)); !slices.Contains(set.levels, lv) {
		return OpenFile{}, errs.Field("region", set.title+"按"+levelNames(set.levels)+"发布,请选择"+levelNames(set.levels))
	}
	s.init()
	// The cached value is the Chinese file name, a newline, then the file: one entry holds both.
	b, err := s.Cache.Get(ctx, "open|"+name+"|"+code, func(ctx context.Context) ([]byte, error) {
		return s.fillOpen(ctx, set, code)
	})
	if errs.CodeOf(err) == errs.NotFound {
		// Cached as not found (so a loop over unknown codes stays off the database), answered
		// as the bad parameter it is.
		return OpenFile{}, errs.Field("region", "区划不存在")
	}
	if err != nil {
		return OpenFile{}, err
	}
	fname, data, _ := bytes.Cut(b, []byte{'\n'})
	date := db.Date(s.now())
	return OpenFile{Name: string(fname), ASCII: set.ascii + "-" + code + "-" + date + ".csv", Data: data}, nil
}

func (s *Service) fillOpen(ctx context.Context, set openSet, code string) ([]byte, error) {
	q := s.q()
	var rname string
	err := q.QueryRowContext(ctx, `SELECT name FROM regions WHERE code = ?`, code).Scan(&rname)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoRegion
	}
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(fileName(rname + "-" + set.title + "-" + db.Date(s.now()) + ".csv"))
	buf.WriteByte('\n')
	tw, err := tabular.NewCSVWriter(&buf, set.header)
	if err != nil {
		return nil, err
	}
	if err := set.write(ctx, s, q, code, tw); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fileName keeps a region's name usable as a file name (names hold no newline or slash, but
// the cache entry's format depends on the first).
func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == '/' || r == '\\' || r == '"' {
			return '_'
		}
		return r
	}, s)
}

var levelLabels = map[string]string{"city": "市", "county": "县(区)", "town": "乡镇", "village": "村"}

func levelNames(levels []string) string {
	out := make([]string, len(levels))
	for i, l := range levels {
		out[i] = levelLabels[l]
	}
	return strings.Join(out, "、")
}

// ---- the files ----

// openPage is how many households each keyset query of the households file reads.
const openPage = 500

// writeHouseholds writes the masked households of a town or village page by page, from the
// query behind the JSON list (loadHouseholds), so both are masked alike.
func writeHouseholds(ctx context.Context, s *Service, q db.Queryer, code string, tw *tabular.Writer) error {
	var after cursor
	now := s.now()
	for {
		items, keys, err := loadHouseholds(ctx, q, code, after, openPage, now)
		if err != nil {
			return err
		}
		more := len(items) > openPage
		if more {
			items = items[:openPage]
		}
		for _, x := range items {
			if err := tw.Write([]string{x.HeadName, x.VillageName, x.VillageCode, x.TypeLabel, x.StatusLabel,
				strconv.FormatInt(x.MembersCount, 10), x.HelperName}); err != nil {
				return err
			}
		}
		if !more {
			return nil
		}
		after = keys[openPage-1]
	}
}

var projectKinds = map[string]string{"household": "直接到户", "carrier": "经营主体带动", "village": "村集体经济"}

var projectSubkinds = map[string]string{"land_share": "土地股份合作社试点", "resource": "资源开发型", "service": "服务创收型",
	"property": "物业经营型", "mixed": "混合型", "enterprise": "龙头企业", "cooperative": "农民专业合作社"}

// writeProjects writes what GET /api/v1/public/projects lists (projects.PublicProjects: past
// approval, from the tender on, failed ones labelled), newest first, in one streamed query:
// the JSON list pages by an id it does not expose, so the file runs its own SELECT of the
// same public columns.
func writeProjects(ctx context.Context, s *Service, q db.Queryer, code string, tw *tabular.Writer) error {
	lo, hi := regioncode.Range(code)
	rows, err := q.QueryContext(ctx, `SELECT p.code, p.name, p.kind, p.subkind, p.region_code, COALESCE(r.name, ''),
		p.year, p.scale, p.implementer, p.benefit_mechanism, p.targets, p.budget_fen,
		COALESCE((SELECT SUM(CASE WHEN t.kind = 'reversal' THEN 0 ELSE t.amount_fen END) FROM ledger_transfers t WHERE t.to_account = p.account_id), 0)
		- COALESCE((SELECT SUM(t.amount_fen) FROM ledger_transfers t WHERE t.from_account = p.account_id AND t.kind = 'reversal'), 0),
		p.stage, p.status, (SELECT COUNT(*) FROM project_beneficiaries b WHERE b.project_id = p.id AND b.status = 'approved')
		FROM projects p LEFT JOIN regions r ON r.code = p.region_code
		WHERE p.stage >= ? AND p.region_code BETWEEN ? AND ? ORDER BY p.id DESC`, projects.Tender, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var x projects.PublicProject
		var stage int
		var status string
		if err := rows.Scan(&x.Code, &x.Name, &x.Kind, &x.Subkind, &x.RegionCode, &x.RegionName, &x.Year, &x.Scale,
			&x.Implementer, &x.BenefitMechanism, &x.Targets, &x.BudgetFen, &x.ReceivedFen, &stage, &status, &x.Beneficiaries); err != nil {
			return err
		}
		if err := tw.Write([]string{x.Code, x.Name, label(projectKinds, x.Kind), label(projectSubkinds, x.Subkind), x.RegionCode,
			x.RegionName, strconv.Itoa(x.Year), x.Scale, x.Implementer, x.BenefitMechanism, x.Targets, money.FormatPlain(x.BudgetFen),
			money.FormatPlain(x.ReceivedFen), stageLabel(stage, status), strconv.Itoa(x.Beneficiaries)}); err != nil {
			return err
		}
	}
	return rows.Err()
}

// stageLabel is projects' public stage label (projStageLabel): the stage, 完成, or 容错/失败.
func stageLabel(stage int, status string) string {
	switch {
	case status == "failed":
		return "容错/失败"
	case stage >= 0 && stage < len(projects.Stages):
		return projects.Stages[stage].Label
	case stage == projects.Done:
		return "完成"
	}
	return "容错/失败"
}

var fundCategories = map[string]string{"fiscal": "财政专项扶贫资金", "subsidy": "政策性补贴资金", "donation": "社会捐赠资金", "income": "资产收益"}

var sourceLevels = map[string]string{"central": "中央", "province": "省级", "city": "市级", "county": "县级", "town": "乡镇",
	"village": "村集体", "social": "社会"}

// writeFunds writes the fund use of the JSON page (loadFunds), one row per fund and item.
func writeFunds(ctx context.Context, s *Service, q db.Queryer, code string, tw *tabular.Writer) error {
	page, err := loadFunds(ctx, q, code, s.now())
	if err != nil {
		return err
	}
	year := strconv.Itoa(page.Year)
	for _, f := range page.Funds {
		for _, it := range f.Items {
			if err := tw.Write([]string{f.Code, f.Name, label(fundCategories, f.Category), label(sourceLevels, f.SourceLevel),
				strconv.Itoa(f.Year), it.ItemName, strconv.FormatInt(it.Households, 10), money.FormatPlain(it.PaidFen),
				strconv.FormatInt(it.HouseholdsYear, 10), money.FormatPlain(it.PaidYearFen), year}); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeNotices writes the notices of the region page (loadNotices: open first, then those
// ended within NoticeWindow), their text scrubbed as on the page.
func writeNotices(ctx context.Context, s *Service, q db.Queryer, code string, tw *tabular.Writer) error {
	ns, err := loadNotices(ctx, q, code, s.now())
	if err != nil {
		return err
	}
	for _, n := range ns {
		period := "已结束"
		if n.Period == PeriodOpen {
			period = "公示中"
		}
		if err := tw.Write([]string{strconv.FormatInt(n.ID, 10), label(kindLabels, n.Kind), n.RegionCode, n.RegionName, n.Title, n.Body,
			shanghai(n.StartsAt), shanghai(n.EndsAt), period, strconv.FormatInt(n.Objections, 10),
			strconv.FormatInt(n.Unanswered, 10)}); err != nil {
			return err
		}
	}
	return nil
}

func label(m map[string]string, k string) string {
	if l, ok := m[k]; ok {
		return l
	}
	return k
}

// shanghai shows a stored timestamp in Shanghai time, to the minute.
func shanghai(stored string) string {
	t := db.ParseTime(stored)
	if t.IsZero() {
		return stored
	}
	return t.In(db.Shanghai).Format("2006-01-02 15:04")
}

// ---- HTTP ----

func (s *Service) handleCatalogue(w http.ResponseWriter, r *http.Request) error {
	WriteCached(w, catalogueJSON)
	return nil
}

var catalogueJSON = func() []byte {
	b, err := json.Marshal(Catalogue{Datasets: Datasets})
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}()

func (s *Service) handleOpenCSV(name string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		code, err := ParseOpenQuery(r.URL.Query())
		if err != nil {
			return err
		}
		f, err := s.OpenCSV(r.Context(), name, code)
		if err != nil {
			return err
		}
		WriteCSV(w, f.ASCII, f.Name, f.Data)
		return nil
	}
}

// Attachment is a Content-Disposition for a download: an ASCII filename for old clients and
// the real (Chinese) one as RFC 5987's filename* (UTF-8, percent-encoded), which every current
// browser prefers.
func Attachment(ascii, name string) string {
	var b strings.Builder
	b.WriteString(`attachment; filename="`)
	for _, c := range []byte(ascii) {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			c = '_'
		}
		b.WriteByte(c)
	}
	b.WriteString(`"; filename*=UTF-8''`)
	const hex = "0123456789ABCDEF"
	for _, c := range []byte(name) {
		// RFC 5987 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
