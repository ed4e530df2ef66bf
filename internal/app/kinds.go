package app

import (
	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/exchange"
	"sunshine/internal/tabular"
)

// auditKind exports the trail; it is wired here because exchange itself writes audit events.
func auditKind() exchange.Kind {
	k := exchange.Kind{Name: "audit", Label: "审计留痕", Export: audit.Export, ExportAction: auth.AuditRead}
	for _, c := range audit.ExportColumns {
		k.Schema.Columns = append(k.Schema.Columns, tabular.Column{Name: c})
	}
	return k
}
