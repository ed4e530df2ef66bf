package projects

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/money"
	"sunshine/internal/regioncode"
	"sunshine/internal/tabular"
)

// assetCodePattern keeps asset codes short enough for the income fund's code (SY-{code}-{year}).
var assetCodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,29}$`)

// maxAssetFen bounds an asset's value (one trillion fen, like a fund).
const maxAssetFen = 1_000_000_000_000

// China's bounding box for map positions.
const (
	minLat, maxLat = 3.8, 53.6
	minLng, maxLng = 73.5, 135.1
)

// maxShare bounds one household's share of an asset's income.
const maxShare = 1000

// assetFields is a validated AssetInput.
type assetFields struct {
	code, name, kind, ownership, region, regNo, custodian, location, status, formedOn string
	value                                                                             int64
	lat, lng                                                                          *float64
}

func trimText(v errs.Validation, field, s string, required bool, limit int) string {
	s = strings.TrimSpace(s)
	if required && s == "" {
		v.Add(field, "必填")
	}
	if utf8.RuneCountInString(s) > limit {
		v.Add(field, "不超过 "+strconv.Itoa(limit)+" 字")
	}
	return s
}

func readDate(v errs.Validation, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	t, err := tabular.ParseDate(s)
	if err != nil {
		v.Add(field, "日期格式应为 YYYY-MM-DD")
		return ""
	}
	d := t.Format(db.DateLayout)
	if d < "2000-01-01" || d > "2099-12-31" {
		v.Add(field, "日期超出合理范围")
		return ""
	}
	return d
}

func (in *AssetInput) validate(v errs.Validation, today string) assetFields {
	f := assetFields{
		code:      strings.TrimSpace(in.Code),
		name:      trimText(v, "name", in.Name, true, 100),
		ownership: trimText(v, "ownership", in.Ownership, true, 100),
		region:    strings.TrimSpace(in.RegionCode),
		regNo:     strings.TrimSpace(in.PropertyRegNo),
		custodian: trimText(v, "custodian", in.Custodian, true, 100),
		location:  trimText(v, "location", in.Location, false, 200),
		kind:      strings.TrimSpace(in.Kind),
		status:    strings.TrimSpace(in.Status),
		lat:       in.Lat,
		lng:       in.Lng,
	}
	if f.code != "" && !assetCodePattern.MatchString(f.code) {
		v.Add("code", "资产编码为 1-30 位字母、数字、点、横线或下划线")
	}
	if !slices.Contains(AssetKinds, f.kind) {
		v.Add("kind", "资产类别应为 operating(经营性)、public_welfare(公益性)或 household(到户类)")
	}
	if f.regNo == "" {
		v.Add("property_reg_no", "资产未办理产权登记,不能登记入账(请先办理产权登记并填写登记证号)")
	} else if utf8.RuneCountInString(f.regNo) > 100 {
		v.Add("property_reg_no", "不超过 100 字")
	}
	if !regioncode.Valid(f.region) {
		v.Add("region_code", "区划代码须为 12 位数字")
	}
	if s := strings.TrimSpace(in.ValueYuan); s == "" {
		v.Add("value_yuan", "请填写资产价值")
	} else if fen, err := money.ParseYuan(s); err != nil {
		v.Add("value_yuan", err.Error())
	} else if fen <= 0 {
		v.Add("value_yuan", "资产价值须大于 0")
	} else if fen > maxAssetFen {
		v.Add("value_yuan", "金额超出合理范围")
	} else {
		f.value = fen
	}
	if f.status == "" {
		f.status = "in_use"
	} else if !slices.Contains(AssetStatuses, f.status) {
		v.Add("status", "状态应为 in_use、idle、lost 或 disposed")
	}
	if (f.lat == nil) != (f.lng == nil) {
		v.Add("lat", "经纬度须同时填写或同时留空")
	} else if f.lat != nil {
		if !(*f.lat >= minLat && *f.lat <= maxLat) {
			v.Add("lat", "纬度不在中国境内")
		}
		if !(*f.lng >= minLng && *f.lng <= maxLng) {
			v.Add("lng", "经度不在中国境内")
		}
	}
	f.formedOn = readDate(v, "formed_on", in.FormedOn)
	if f.formedOn > today {
		v.Add("formed_on", "形成日期不能晚于今天")
	}
	return f
}

// checkEntitled validates the entitled households against the project's approved
// beneficiaries; nil input means "all approved beneficiaries, share 1".
func checkEntitled(ctx context.Context, q db.Queryer, v errs.Validation, project int64, in []EntitledInput) ([]EntitledInput, error) {
	approved := map[int64]bool{}
	var order []int64
	rows, err := q.QueryContext(ctx, `SELECT household_id FROM project_beneficiaries WHERE project_id = ? AND status = 'approved' ORDER BY household_id`, project)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		approved[id] = true
		order = append(order, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if in == nil {
		out := make([]EntitledInput, len(order))
		for i, id := range order {
			out[i] = EntitledInput{HouseholdID: id, Share: 1}
		}
		return out, nil
	}
	seen := map[int64]bool{}
	out := make([]EntitledInput, 0, len(in))
	for i, e := range in {
		f := "entitled[" + strconv.Itoa(i) + "]."
		switch {
		case !approved[e.HouseholdID]:
			v.Add(f+"household_id", fmt.Sprintf("农户 %d 不是该项目已批准的受益对象", e.HouseholdID))
		case seen[e.HouseholdID]:
			v.Add(f+"household_id", fmt.Sprintf("农户 %d 重复", e.HouseholdID))
		}
		seen[e.HouseholdID] = true
		if e.Share == 0 {
			e.Share = 1
		}
		if e.Share < 1 || e.Share > maxShare {
			v.Add(f+"share", "份额应为 1-"+strconv.Itoa(maxShare)+" 的整数")
		}
		out = append(out, e)
	}
	return out, nil
}

func writeEntitled(ctx context.Context, tx *db.Tx, asset int64, list []EntitledInput) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM asset_beneficiaries WHERE asset_id = ?`, asset); err != nil {
		return err
	}
	now := db.Time(tx.Now)
	for _, e := range list {
		if _, err := tx.ExecContext(ctx, `INSERT INTO asset_beneficiaries (asset_id, household_id, share, created_at) VALUES (?, ?, ?, ?)`,
			asset, e.HouseholdID, e.Share, now); err != nil {
			return err
		}
	}
	return nil
}

// nextAssetCode is ZC{year}-{6-digit county}-{4-digit seq}.
func nextAssetCode(ctx context.Context, tx *db.Tx, year, region string) (string, error) {
	prefix := "ZC" + year + "-" + regioncode.CountyOf(region)[:6] + "-"
	var last string
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(code), '') FROM assets WHERE code LIKE ?`, prefix+"%").Scan(&last)
	if err != nil {
		return "", err
	}
	n := 0
	if last != "" {
		n, _ = strconv.Atoi(strings.TrimPrefix(last, prefix))
	}
	return fmt.Sprintf("%s%04d", prefix, n+1), nil
}

// CreateAsset registers an asset formed by an accepted project, with its entitled households
// and the village collective's account that will receive its income.
func (s *Service) CreateAsset(ctx context.Context, p *auth.Principal, in AssetInput) (AssetDetail, error) {
	if err := p.Require(auth.ProjectWrite); err != nil {
		return AssetDetail{}, err
	}
	today := s.today()
	v := errs.Validation{}
	f := in.validate(v, today)
	if in.ProjectID <= 0 {
		v.Add("project_id", "请选择形成资产的项目")
	}
	// a place outside the caller's scope is refused before the rest of the input is judged
	if regioncode.Valid(f.region) {
		if err := p.RequireIn(auth.ProjectWrite, f.region); err != nil {
			return AssetDetail{}, err
		}
	}
	if err := v.Err(); err != nil {
		return AssetDetail{}, err
	}
	var out AssetDetail
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		pr, err := assetProject(ctx, tx, in.ProjectID)
		if err != nil {
			return err
		}
		// the asset's place is in scope (checked above) and lies in the project's region, so a
		// village cadre registers in their village the asset of a town or county project
		if !p.InScope(pr.RegionCode) && !regioncode.Within(f.region, pr.RegionCode) {
			return errNoProject
		}
		if pr.Status == "failed" || pr.Stage <= Acceptance {
			return errs.E(errs.Conflict, "项目尚未验收,不能登记资产")
		}
		if !regioncode.Within(f.region, pr.RegionCode) {
			return errs.Field("region_code", "资产所在地须在项目所在区划内")
		}
		if regionName(ctx, tx, f.region) == "" {
			return errs.Field("region_code", "区划 "+f.region+" 不存在")
		}
		if f.formedOn == "" {
			f.formedOn = pr.AcceptedOn
			if f.formedOn == "" {
				f.formedOn = today
			}
		}
		v := errs.Validation{}
		entitled, err := checkEntitled(ctx, tx, v, pr.ID, in.Entitled)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if f.code == "" {
			if f.code, err = nextAssetCode(ctx, tx, f.formedOn[:4], f.region); err != nil {
				return err
			}
		}
		acct, err := villageAccount(ctx, tx, p.UserID, f.region)
		if err != nil {
			return err
		}
		now := db.Time(tx.Now)
		id, err := tx.InsertID(ctx, `INSERT INTO assets (code, name, project_id, kind, value_fen, ownership, region_code, property_reg_no,
			custodian, location, lat, lng, status, formed_on, account_id, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			f.code, f.name, pr.ID, f.kind, f.value, f.ownership, f.region, f.regNo, f.custodian, f.location, nullFloat(f.lat), nullFloat(f.lng),
			f.status, f.formedOn, acct, p.UserID, now, now)
		if errs.CodeOf(err) == errs.Conflict {
			return &errs.Error{Code: errs.Conflict, Message: "资产编码 " + f.code + " 已存在", Fields: map[string]string{"code": "已存在"}}
		}
		if err != nil {
			return err
		}
		if err := writeEntitled(ctx, tx, id, entitled); err != nil {
			return err
		}
		if out, err = assetDetail(ctx, tx, id, today); err != nil {
			return err
		}
		if err := tallyAdd(ctx, tx, talliedOf(out.Asset)); err != nil {
			return err
		}
		return record(ctx, tx, p, "asset.create", "asset", id, f.region, nil, out)
	})
	return out, err
}

func nullFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// UpdateAsset edits an asset: descriptive fields, its status (idle, lost, disposed), the
// custodian, location and entitled households. Project, code and region cannot change.
func (s *Service) UpdateAsset(ctx context.Context, p *auth.Principal, id int64, in AssetInput) (AssetDetail, error) {
	if err := p.Require(auth.ProjectWrite); err != nil {
		return AssetDetail{}, err
	}
	today := s.today()
	var out AssetDetail
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := assetDetail(ctx, tx, id, today)
		if err != nil {
			return err
		}
		if !p.InScope(before.RegionCode) {
			return errNoAsset
		}
		if err := p.RequireIn(auth.ProjectWrite, before.RegionCode); err != nil {
			return err
		}
		// unchanged identity fields may be sent back as they are, or left empty
		if strings.TrimSpace(in.RegionCode) == "" {
			in.RegionCode = before.RegionCode
		}
		v := errs.Validation{}
		f := in.validate(v, today)
		if in.Version <= 0 {
			v.Add("version", "缺少版本号")
		}
		if f.code != "" && f.code != before.Code {
			v.Add("code", "资产编码不能修改")
		}
		if in.ProjectID != 0 && in.ProjectID != before.ProjectID {
			v.Add("project_id", "形成资产的项目不能修改")
		}
		if f.region != before.RegionCode {
			v.Add("region_code", "资产所在地不能修改(收益账户随所在地开立)")
		}
		var entitled []EntitledInput
		if in.Entitled != nil {
			if entitled, err = checkEntitled(ctx, tx, v, before.ProjectID, in.Entitled); err != nil {
				return err
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		if before.Status == "disposed" && f.status != "disposed" {
			return errs.E(errs.Conflict, "资产已处置,不能再修改状态")
		}
		if f.formedOn == "" {
			f.formedOn = before.FormedOn
		}
		res, err := tx.ExecContext(ctx, `UPDATE assets SET name = ?, kind = ?, value_fen = ?, ownership = ?, property_reg_no = ?, custodian = ?,
			location = ?, lat = ?, lng = ?, status = ?, formed_on = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			f.name, f.kind, f.value, f.ownership, f.regNo, f.custodian, f.location, nullFloat(f.lat), nullFloat(f.lng), f.status, f.formedOn,
			db.Time(tx.Now), id, in.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errStale
		}
		if in.Entitled != nil {
			if err := writeEntitled(ctx, tx, id, entitled); err != nil {
				return err
			}
		}
		if out, err = assetDetail(ctx, tx, id, today); err != nil {
			return err
		}
		if err := tallyMove(ctx, tx, talliedOf(before.Asset), talliedOf(out.Asset)); err != nil {
			return err
		}
		return record(ctx, tx, p, "asset.update", "asset", id, before.RegionCode, before, out)
	})
	return out, err
}

// Asset reads the asset page.
func (s *Service) Asset(ctx context.Context, p *auth.Principal, id int64) (AssetDetail, error) {
	if err := p.Require(auth.ProjectRead); err != nil {
		return AssetDetail{}, err
	}
	d, err := assetDetail(ctx, s.DB.Reader(), id, s.today())
	if err != nil {
		return AssetDetail{}, err
	}
	if !p.InScope(d.RegionCode) {
		return AssetDetail{}, errNoAsset
	}
	return d, nil
}

func (f *AssetFilter) check(p *auth.Principal) error {
	v := errs.Validation{}
	f.Q = strings.TrimSpace(f.Q)
	if f.Region != "" && !regioncode.Valid(f.Region) {
		v.Add("region", "区划代码须为 12 位数字")
	}
	if f.Kind != "" && !slices.Contains(AssetKinds, f.Kind) {
		v.Add("kind", "未知的资产类别")
	}
	if f.Status != "" && !slices.Contains(AssetStatuses, f.Status) {
		v.Add("status", "未知的资产状态")
	}
	if f.Attention != "" && !slices.Contains([]string{"idle", "lost", "undistributed"}, f.Attention) {
		v.Add("attention", "应为 idle、lost 或 undistributed")
	}
	if utf8.RuneCountInString(f.Q) > 50 {
		v.Add("q", "不超过 50 字")
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if err := v.Err(); err != nil {
		return err
	}
	if f.Region != "" && !p.InScope(f.Region) {
		return errs.E(errs.Forbidden, "区划 %s 不在您的管辖范围内", f.Region)
	}
	return nil
}

// Assets lists the asset register, newest first, keyset-paginated by id.
func (s *Service) Assets(ctx context.Context, p *auth.Principal, f AssetFilter) ([]Asset, error) {
	if err := p.Require(auth.ProjectRead); err != nil {
		return nil, err
	}
	if err := f.check(p); err != nil {
		return nil, err
	}
	return listAssets(ctx, s.DB.Reader(), p, f, s.today())
}
