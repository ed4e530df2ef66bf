package projects

import (
	"context"
	"slices"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// signLevel is the scope level that signs stage k of a project in region: the rule's level,
// or the project's own when the project sits above it (a county's carrier project signs its
// town stages at the county).
func signLevel(stage int, region string) regioncode.Level {
	need := regioncode.Level(Stages[stage].Level)
	if own := regioncode.LevelOf(region); projLevelRank(own) >= 0 && projLevelRank(own) < projLevelRank(need) {
		return own
	}
	return need
}

// signerError is nil when the principal may sign stage k of the project: one of the stage's
// roles, scoped exactly at the level that signs it (the project in scope is checked before).
// The root operator signs anything.
func signerError(p *auth.Principal, stage int, region string) error {
	if p.Root {
		return nil
	}
	r := Stages[stage]
	need := signLevel(stage, region)
	if slices.Contains(r.Roles, p.Role) && regioncode.LevelOf(p.Scope) == need {
		return nil
	}
	names := make([]string, len(r.Roles))
	for i, role := range r.Roles {
		names[i] = auth.RoleLabels[role]
	}
	return errs.E(errs.Forbidden, "「%s」阶段应由%s级%s签署", r.Label, projLevelLabels[need], strings.Join(names, "或"))
}

// Sign signs off the project's current stage: the stage must be the current one, its
// documents on file, the signer the stage's role at its level, the version current. The next
// stage begins the same day; after the ninth the project is completed.
func (s *Service) Sign(ctx context.Context, p *auth.Principal, id int64, in SignInput) (ProjectDetail, error) {
	if err := p.Require(auth.ProjectSign); err != nil {
		return ProjectDetail{}, err
	}
	v := errs.Validation{}
	projText(v, "opinion", &in.Opinion, 0, 1000)
	in.OnDate = strings.TrimSpace(in.OnDate)
	if in.OnDate != "" {
		if _, ok := projDate(in.OnDate); !ok {
			v.Add("on_date", "日期格式应为 YYYY-MM-DD")
		}
	}
	if in.Version <= 0 {
		v.Add("version", "缺少版本号")
	}
	if err := v.Err(); err != nil {
		return ProjectDetail{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		today := db.Date(tx.Now)
		x, err := projectFor(ctx, tx, p, id, auth.ProjectSign)
		if err != nil {
			return err
		}
		switch {
		case x.Status == "completed":
			return errs.E(errs.Conflict, "项目已完成全部阶段")
		case x.Status != "active":
			return errs.E(errs.Conflict, "项目已经容错认定为失败,不能再签署")
		case in.Stage < 0 || in.Stage >= len(Stages):
			return errs.Field("stage", "阶段应为 0 到 8")
		case in.Stage > x.Stage:
			return &errs.Error{Code: errs.Conflict, Message: "不能跳过阶段: 当前阶段为「" + Stages[x.Stage].Label + "」",
				Fields: map[string]string{"stage": "当前阶段为「" + Stages[x.Stage].Label + "」"}}
		case in.Stage < x.Stage:
			return &errs.Error{Code: errs.Conflict, Message: "「" + Stages[in.Stage].Label + "」阶段已签署,当前阶段为「" + Stages[x.Stage].Label + "」",
				Fields: map[string]string{"stage": "该阶段已签署"}}
		}
		if err := signerError(p, x.Stage, x.RegionCode); err != nil {
			return err
		}
		stages, err := projStageRows(ctx, tx, x, today)
		if err != nil {
			return err
		}
		cur := stages[x.Stage]
		if len(cur.Missing) > 0 {
			labels := make([]string, 0, len(cur.Missing))
			for _, m := range cur.Missing {
				for _, d := range Stages[x.Stage].Docs {
					if d.Key == m {
						labels = append(labels, "「"+d.Label+"」")
					}
				}
			}
			return errs.Field("documents", "尚缺"+strings.Join(labels, "、")+",不能签署")
		}
		on := in.OnDate
		if on == "" {
			on = today
		}
		if on > today {
			return errs.Field("on_date", "不能晚于今天")
		}
		if cur.ActualStart != nil && on < *cur.ActualStart {
			return errs.Field("on_date", "不能早于本阶段开始日期 "+*cur.ActualStart)
		}
		if in.Version != x.Version {
			return errStale
		}
		next, status := x.Stage+1, "active"
		var due any
		if next == Done {
			status = "completed"
		} else if stages[next].PlannedEnd != nil {
			due = *stages[next].PlannedEnd
		}
		res, err := tx.ExecContext(ctx, `UPDATE projects SET stage = ?, stage_since = ?, stage_due = ?, status = ?, version = version + 1,
			updated_at = ? WHERE id = ? AND version = ? AND stage = ?`, next, on, due, status, db.Time(tx.Now), id, in.Version, x.Stage)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			if err != nil {
				return err
			}
			return errStale
		}
		if _, err := tx.ExecContext(ctx, `UPDATE project_stages SET actual_end = ?, signed_by = ?, signed_by_name = ?, signed_role = ?,
			signed_scope = ?, opinion = ? WHERE project_id = ? AND stage = ?`, on, p.UserID, p.Name, string(p.Role), p.Scope, in.Opinion, id, x.Stage); err != nil {
			return err
		}
		if next < Done {
			if _, err := tx.ExecContext(ctx, `UPDATE project_stages SET actual_start = ? WHERE project_id = ? AND stage = ?`, on, id, next); err != nil {
				return err
			}
		}
		return record(ctx, tx, p, "project.sign", "project", id, x.RegionCode,
			map[string]any{"stage": x.Stage, "status": x.Status, "version": x.Version},
			map[string]any{"stage": next, "status": status, "signed_stage": x.Stage, "stage_label": Stages[x.Stage].Label,
				"on_date": on, "opinion": in.Opinion, "signed_role": p.Role, "signed_scope": p.Scope})
	})
	if err != nil {
		return ProjectDetail{}, err
	}
	return s.Project(ctx, p, id)
}
