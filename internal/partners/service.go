// Package partners is the rest of social participation (社会扶贫): volunteers and third-party
// firms with their service records, deputies (人大代表, five levels) and CPPCC members (政协委员)
// paired with villages and their activities, village–enterprise pairing (村企结对), and the
// directory of entrepreneurs from the city working elsewhere (在外创业人士) matched to projects.
package partners

import (
	"sunshine/internal/audit"
	"sunshine/internal/db"
)

// Service keeps the social forces' registers. Every write runs in one transaction with its
// audit event.
type Service struct {
	DB    *db.DB
	Audit *audit.Service
}
