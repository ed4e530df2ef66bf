// Package giving is the donation platform of social participation (社会扶贫): needs (微心愿)
// published by villages for households, donors, pledges, money donations entering the ledger
// as social funds and traced to the households they reached, and goods donations with
// receipts.
package giving

import (
	"sunshine/internal/audit"
	"sunshine/internal/db"
)

// Service publishes needs and records donors, pledges and donations. Every write runs in one
// transaction with its audit event.
type Service struct {
	DB    *db.DB
	Audit *audit.Service
}
