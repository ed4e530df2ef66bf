package projects

import (
	"context"
	"database/sql"
	"strconv"
	"unicode"
	"unicode/utf8"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// supportRef is what the support operations (beneficiaries, risks, 容错) need of a project.
type supportRef struct {
	ID     int64
	Code   string
	Name   string
	Kind   string
	Region string
	Stage  int
	Status string
}

// supportProject loads a project the principal may act on with action: the role must allow
// the action (forbidden otherwise) and the project's region must lie in the principal's scope
// (errNoProject otherwise, the same as a missing one). covering also admits a principal whose
// scope lies inside the project's region (a village cadre on a town's direct-to-household
// project: they act on their own village's households only, checked by the caller).
func supportProject(ctx context.Context, q db.Queryer, p *auth.Principal, id int64, action auth.Action, covering bool) (supportRef, error) {
	if err := p.Require(action); err != nil {
		return supportRef{}, err
	}
	r := supportRef{ID: id}
	err := q.QueryRowContext(ctx, `SELECT code, name, kind, region_code, stage, status FROM projects WHERE id = ?`, id).
		Scan(&r.Code, &r.Name, &r.Kind, &r.Region, &r.Stage, &r.Status)
	if err == sql.ErrNoRows {
		return r, errNoProject
	}
	if err != nil {
		return r, err
	}
	if p.InScope(r.Region) || covering && regioncode.Within(p.Scope, r.Region) {
		return r, nil
	}
	return r, errNoProject
}

// requireActive refuses changes to a project that is no longer being carried out.
func (r supportRef) requireActive() error {
	switch r.Status {
	case "completed":
		return errs.E(errs.Conflict, "项目已完成,不能再办理此项")
	case "failed":
		return errs.E(errs.Conflict, "项目已认定失败(容错),不能再办理此项")
	}
	return nil
}

// supText checks a trimmed free-text field: valid UTF-8, no control characters but line
// breaks and tabs, between lo and hi runes (lo 1 = required).
func supText(v errs.Validation, field, s string, lo, hi int) {
	if !utf8.ValidString(s) {
		v.Add(field, "含有无效字符")
		return
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			v.Add(field, "含有控制字符")
			return
		}
	}
	switch n := utf8.RuneCountInString(s); {
	case n == 0 && lo > 0:
		v.Add(field, "必填")
	case n < lo:
		v.Add(field, "至少 "+strconv.Itoa(lo)+" 个字")
	case n > hi:
		v.Add(field, "不能超过 "+strconv.Itoa(hi)+" 个字")
	}
}

// supNullString turns a nullable text column into a pointer.
func supNullString(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

func supNullInt(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

// supLevelLabels name the levels in messages ("应由镇级农办审核").
var supLevelLabels = map[regioncode.Level]string{
	regioncode.City: "市级", regioncode.County: "县级", regioncode.Town: "镇级", regioncode.Village: "村级",
}
