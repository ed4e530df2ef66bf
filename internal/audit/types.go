// Package audit is the trail of every write (全程留痕): events appended in the same transaction
// as the change they describe, chained by SHA-256 so that any row changed, deleted or inserted
// behind the system's back breaks the chain at a point `sunshine audit verify` names.
package audit

import (
	"encoding/json"
	"sunshine/internal/auth"
	"time"
)

// Actor is who made a change. System jobs use ID 0 with a descriptive name.
type Actor struct {
	ID   int64
	Name string
}

// ActorOf is how a principal appears in the trail: "name(username)".
func ActorOf(p *auth.Principal) Actor {
	if p == nil {
		return System
	}
	return Actor{ID: p.UserID, Name: p.Name + "(" + p.Username + ")"}
}

// System is the actor for changes made by the system itself (migrations, demo data, jobs).
var System = Actor{ID: 0, Name: "system"}

// Event is one entry of the trail.
type Event struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	ActorID    int64           `json:"actor_id"`
	ActorName  string          `json:"actor_name"`
	Action     string          `json:"action"`
	EntityType string          `json:"entity_type"`
	EntityID   string          `json:"entity_id"`
	RegionCode string          `json:"region_code"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// Change is what a service hands to Record: the entity, where it lives, and its state before
// and after (nil for none). States are marshalled to JSON; never put secrets in them.
type Change struct {
	Action     string
	EntityType string
	EntityID   string
	RegionCode string
	Before     any
	After      any
}

// Broken names the first event where the chain does not hold.
type Broken struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// VerifyResult is the outcome of recomputing the chain.
type VerifyResult struct {
	OK          bool    `json:"ok"`
	Checked     int64   `json:"checked"`
	HeadSeq     int64   `json:"head_seq"`
	HeadHash    string  `json:"head_hash"`
	FirstBroken *Broken `json:"first_broken,omitempty"`
}

// Filter selects events for the history views.
type Filter struct {
	EntityType string
	EntityID   string
	ActorID    int64
	Action     string
	Scope      string // region scope of the reader; events outside it are not shown
	Before     int64  // keyset: events with seq < Before (0 = newest)
	Limit      int
}
