package projects

import (
	"context"
	"strconv"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// Service registers projects and assets and moves them through their lifecycle. Every write
// runs in one transaction with its audit event.
type Service struct {
	DB    *db.DB
	Audit *audit.Service
}

func record(ctx context.Context, tx *db.Tx, p *auth.Principal, action, entity string, id int64, region string, before, after any) error {
	return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: action, EntityType: entity,
		EntityID: strconv.FormatInt(id, 10), RegionCode: region, Before: before, After: after})
}

var (
	errNoProject = errs.E(errs.NotFound, "项目不存在")
	errNoAsset   = errs.E(errs.NotFound, "资产不存在")
	errStale     = errs.E(errs.Conflict, "数据已被他人修改,请刷新后重试")
)

func (s *Service) today() string { return db.Date(s.DB.Clock()) }
