package partners

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/mask"
	"sunshine/internal/money"
	"sunshine/internal/regioncode"
	"sunshine/internal/tabular"
)

// The public face of the registers: a page per county, town or village and an open-data CSV.
// Nothing personal leaves here: no phone at all, volunteers' and contacts' names masked,
// household ids and heads never, entrepreneurs as counts only, and activities as titles with
// dates (their free text stays in the console).

// MaxPublicRows bounds the lists of a public page.
const MaxPublicRows = 200

// publicRegion reads a region the public may ask about: 404 for an unknown code, levels as given.
func publicRegion(ctx context.Context, q db.Queryer, code string, levels ...regioncode.Level) (string, error) {
	lv := regioncode.LevelOf(code)
	if lv == "" {
		return "", errs.Field("code", "应为 12 位区划代码")
	}
	if !slices.Contains(levels, lv) {
		return "", errs.Field("code", "应为县、镇或村的区划代码")
	}
	var name string
	err := q.QueryRowContext(ctx, `SELECT name FROM regions WHERE code = ?`, code).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.E(errs.NotFound, "区划 %s 不存在", code)
	}
	return name, err
}

// ancestors are the regions above code up to the city (a firm serving the county serves its
// villages too).
func ancestors(code string) []any {
	var out []any
	for c := regioncode.Parent(code); c != "" && regioncode.LevelOf(c) != regioncode.Province; c = regioncode.Parent(c) {
		out = append(out, c)
	}
	return out
}

// inArea is the condition "col lies under code or is one of its ancestors", with arguments.
func inArea(col, code string) (string, []any) {
	lo, hi := regioncode.Range(code)
	anc := ancestors(code)
	if len(anc) == 0 {
		return col + " BETWEEN ? AND ?", []any{lo, hi}
	}
	return "(" + col + " BETWEEN ? AND ? OR " + col + " IN (?" + strings.Repeat(", ?", len(anc)-1) + "))", append([]any{lo, hi}, anc...)
}

// publicName is how the public sees a provider's name: firms by name, volunteers masked.
func publicName(kind, name string) string {
	if kind == "volunteer" {
		return mask.Name(name)
	}
	return name
}

// ForcesPageJSON is the encoded public page of a region (cached briefly).
func (s *Service) ForcesPageJSON(ctx context.Context, code string) ([]byte, error) {
	if !regioncode.Valid(code) {
		return nil, errs.Field("code", "应为 12 位区划代码")
	}
	s.init()
	return s.Cache.Get(ctx, "forces|"+code, func(ctx context.Context) ([]byte, error) {
		pg, err := s.ForcesPage(ctx, code)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(pg)
		return append(b, '\n'), err
	})
}

// ForcesPage reads the public page of a county, town or village (uncached).
func (s *Service) ForcesPage(ctx context.Context, code string) (ForcesPage, error) {
	q := s.DB.Reader()
	name, err := publicRegion(ctx, q, code, regioncode.County, regioncode.Town, regioncode.Village)
	if err != nil {
		return ForcesPage{}, err
	}
	pg := ForcesPage{Code: code, Name: name, AsOf: db.Time(s.now())}
	lo, hi := regioncode.Range(code)
	area, aargs := inArea("v.region_code", code)
	if pg.Firms, err = queryProviders(ctx, q, `v.kind <> 'volunteer' AND v.status = 'active' AND `+area+` ORDER BY v.region_code, v.id LIMIT ?`,
		append(aargs, MaxPublicRows)...); err != nil {
		return pg, err
	}
	for i := range pg.Firms {
		pg.Firms[i].Phone, pg.Firms[i].ContactPerson = "", mask.Name(pg.Firms[i].ContactPerson)
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM partner_providers v WHERE v.kind = 'volunteer' AND v.status = 'active' AND `+area,
		aargs...).Scan(&pg.Volunteers); err != nil {
		return pg, err
	}
	var hc int64
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(hours_c), 0) FROM partner_services WHERE region_code BETWEEN ? AND ?`,
		lo, hi).Scan(&pg.ServiceRecords, &hc); err != nil {
		return pg, err
	}
	pg.ServiceHours = hours(hc)
	pairs, err := queryPairings(ctx, q, `pp.status = 'active' AND pp.village_code BETWEEN ? AND ? ORDER BY pp.village_code, pp.since, pp.id LIMIT ?`,
		lo, hi, 2*MaxPublicRows)
	if err != nil {
		return pg, err
	}
	pg.Deputies, pg.Enterprises = []Pairing{}, []Pairing{}
	for _, x := range pairs {
		x.Phone, x.Contact = "", mask.Name(x.Contact)
		if x.Kind == "deputy" {
			pg.Deputies = append(pg.Deputies, x)
		} else {
			pg.Enterprises = append(pg.Enterprises, x)
		}
	}
	if pg.Recent, err = recent(ctx, q, lo, hi); err != nil {
		return pg, err
	}
	var c ForcesCounts
	err = q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(capital), 0), COALESCE(SUM(project), 0), COALESCE(SUM(technology), 0)
		FROM partner_entrepreneurs WHERE hometown_code BETWEEN ? AND ?`, lo, hi).Scan(&c.Total, &c.Capital, &c.Project, &c.Technology)
	pg.Entrepreneurs = c
	return pg, err
}

// recent is the latest 10 pairing activities and service records under lo..hi, as titles
// with dates.
func recent(ctx context.Context, q db.Queryer, lo, hi string) ([]Activity, error) {
	const n = 10
	acts, err := queryActivities(ctx, q, `a.region_code BETWEEN ? AND ? ORDER BY a.on_date DESC, a.id DESC LIMIT ?`, lo, hi, n)
	if err != nil {
		return nil, err
	}
	for i := range acts {
		acts[i].Content = ""
	}
	svc, err := queryServices(ctx, q, `s.region_code BETWEEN ? AND ? ORDER BY s.served_on DESC, s.id DESC LIMIT ?`, lo, hi, n)
	if err != nil {
		return nil, err
	}
	kinds := map[int64]string{}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT v.id, v.kind FROM partner_services s JOIN partner_providers v ON v.id = s.provider_id
		WHERE s.region_code BETWEEN ? AND ?`, lo, hi)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var kind string
		if err := rows.Scan(&id, &kind); err != nil {
			rows.Close()
			return nil, err
		}
		kinds[id] = kind
	}
	rows.Close()
	for _, r := range svc {
		who := publicName(kinds[r.ProviderID], r.ProviderName)
		if kinds[r.ProviderID] == "volunteer" {
			who = "志愿者 " + who
		}
		acts = append(acts, Activity{ID: r.ID, OnDate: r.ServedOn, Title: r.Service + "(" + who + ")", People: r.People,
			CreatedAt: r.CreatedAt, Source: "service"})
	}
	slices.SortStableFunc(acts, func(a, b Activity) int { return strings.Compare(b.OnDate+b.CreatedAt, a.OnDate+a.CreatedAt) })
	if len(acts) > n {
		acts = acts[:n]
	}
	return acts, nil
}

// forcesHeader is the open-data file's header (Chinese, as people read it).
var forcesHeader = []string{"类别", "名称", "统一社会信用代码", "区划代码", "区划名称", "代表级别", "服务项目或帮扶内容",
	"开始日期", "结束日期", "状态", "承诺金额(元)", "已落实金额(元)", "服务或活动次数"}

// ForcesCSV is the open-data file of a region's firms and pairings (cached briefly): UTF-8
// with a BOM, Chinese headers, formula-like cells neutralised, no phone, contacts masked.
func (s *Service) ForcesCSV(ctx context.Context, code string) ([]byte, error) {
	if !regioncode.Valid(code) {
		return nil, errs.Field("region", "应为 12 位区划代码")
	}
	s.init()
	return s.Cache.Get(ctx, "forcescsv|"+code, func(ctx context.Context) ([]byte, error) { return s.forcesCSV(ctx, code) })
}

func (s *Service) forcesCSV(ctx context.Context, code string) ([]byte, error) {
	q := s.DB.Reader()
	if _, err := publicRegion(ctx, q, code, regioncode.City, regioncode.County, regioncode.Town, regioncode.Village); err != nil {
		return nil, err
	}
	lo, hi := regioncode.Range(code)
	var buf bytes.Buffer
	w, err := tabular.NewCSVWriter(&buf, forcesHeader)
	if err != nil {
		return nil, err
	}
	firms, err := queryProviders(ctx, q, `v.kind <> 'volunteer' AND v.region_code BETWEEN ? AND ? ORDER BY v.region_code, v.id`, lo, hi)
	if err != nil {
		return nil, err
	}
	status := map[string]string{"active": "在册", "inactive": "停用", "ended": "已结束"}
	for _, f := range firms {
		if err := w.Write([]string{KindLabels[f.Kind], f.Name, f.CreditCode, f.RegionCode, f.RegionName, "", strings.Join(f.Services, "、"),
			f.CreatedAt[:10], "", status[f.Status], "", "", strconv.FormatInt(f.ServiceCount, 10)}); err != nil {
			return nil, err
		}
	}
	pairs, err := queryPairings(ctx, q, `pp.village_code BETWEEN ? AND ? ORDER BY pp.village_code, pp.id`, lo, hi)
	if err != nil {
		return nil, err
	}
	for _, x := range pairs {
		kind, name, level, pledged, delivered := "村企结对", x.Enterprise, "", money.FormatPlain(x.PledgedFen), money.FormatPlain(x.DeliveredFen)
		if x.Kind == "deputy" {
			kind, name, level, pledged, delivered = DeputyKindLabels[x.DeputyKind]+"结对", x.DeputyName, LevelLabels[x.DeputyLevel], "", ""
		}
		st := status[x.Status]
		if x.Status == "active" {
			st = "进行中"
		}
		if err := w.Write([]string{kind, name, x.CreditCode, x.VillageCode, x.VillageName, level, x.Commitment, x.Since, deref(x.Until),
			st, pledged, delivered, strconv.FormatInt(x.Activities, 10)}); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
