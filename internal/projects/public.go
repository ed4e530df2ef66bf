package projects

import (
	"context"
	"strings"

	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

type publicRow struct {
	id int64
	PublicProject
}

// PublicProjects is the public disclosure (公告公示) of the projects under a region (any level,
// "" = all) that have passed approval (立项, stage 4 on): only public fields, no household.
// Newest first; it returns up to limit+1 rows (httpx.NewList trims them).
func (s *Service) PublicProjects(ctx context.Context, region string, after int64, limit int) ([]PublicProject, error) {
	rows, err := s.publicProjects(ctx, region, after, limit)
	out := make([]PublicProject, len(rows))
	for i, r := range rows {
		out[i] = r.PublicProject
	}
	return out, err
}

func (s *Service) publicProjects(ctx context.Context, region string, after int64, limit int) ([]publicRow, error) {
	region = strings.TrimSpace(region)
	if region != "" && !regioncode.Valid(region) {
		return nil, errs.Field("region", "区划代码须为 12 位数字")
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	where, args := `p.stage >= ?`, []any{Tender}
	if region != "" {
		lo, hi := regioncode.Range(region)
		where, args = where+` AND p.region_code BETWEEN ? AND ?`, append(args, lo, hi)
	}
	if after > 0 {
		where, args = where+` AND p.id < ?`, append(args, after)
	}
	rows, err := s.DB.Reader().QueryContext(ctx, `SELECT p.id, p.code, p.name, p.kind, p.subkind, p.region_code, COALESCE(r.name, ''),
		p.year, p.scale, p.implementer, p.benefit_mechanism, p.targets, p.budget_fen,
		COALESCE((SELECT SUM(CASE WHEN t.kind = 'reversal' THEN 0 ELSE t.amount_fen END) FROM ledger_transfers t WHERE t.to_account = p.account_id), 0)
		- COALESCE((SELECT SUM(t.amount_fen) FROM ledger_transfers t WHERE t.from_account = p.account_id AND t.kind = 'reversal'), 0),
		p.stage, p.status, (SELECT COUNT(*) FROM project_beneficiaries b WHERE b.project_id = p.id AND b.status = 'approved')
		`+projectFrom+` WHERE `+where+` ORDER BY p.id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []publicRow{}
	for rows.Next() {
		var x publicRow
		var stage int
		var status string
		if err := rows.Scan(&x.id, &x.Code, &x.Name, &x.Kind, &x.Subkind, &x.RegionCode, &x.RegionName, &x.Year, &x.Scale,
			&x.Implementer, &x.BenefitMechanism, &x.Targets, &x.BudgetFen, &x.ReceivedFen, &stage, &status, &x.Beneficiaries); err != nil {
			return nil, err
		}
		switch status {
		case "failed":
			x.StageLabel = projStageLabel(-1)
		default:
			x.StageLabel = projStageLabel(stage)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
