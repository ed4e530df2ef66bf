package crosscheck

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"sunshine/internal/db"
	"sunshine/internal/idcard"
	"sunshine/internal/regioncode"
)

// Day is a calendar date as days since 1899-12-31 (1900-01-01 is day 1),
// so 0 means "none".
type Day int32

// Household is what rules need of a household.
type Household struct {
	ID           int64
	RegionCode   string
	Status       string // applying | registered | exited
	RegisteredOn Day
	ExitedOn     Day
	PolicyUntil  Day
	Size         int32 // members counted per capita: members_count, else the active members listed
	Head         int32 // index of the head in Snapshot.Members, -1 when not listed
}

// Member is one active member of a household in the snapshot.
type Member struct {
	ID        int64
	Key       uint64 // idcard.Pack of the ID number
	Household int32  // index into Snapshot.Households
	Name      string
}

// IncomeLine is a row of the registry's income_lines: the yearly
// per-capita line of a region (most specific prefix wins).
type IncomeLine struct {
	Year       int
	RegionCode string
	LineFen    int64
}

// Snapshot is the registry at the moment of a run: households sorted by
// id, members grouped by household, and an open-addressing table from
// packed ID number to member (no strings on the lookup path).
type Snapshot struct {
	At          time.Time // the moment of the run; "today" for the rules
	Households  []Household
	Members     []Member
	IncomeLines []IncomeLine

	// slots: linear probing, key 0 = empty (Pack never yields 0), at most
	// half full. filter: a blocked Bloom filter, three bits in one 64-bit
	// word per key, eight bits per member (1 MB for a million: it stays in
	// a core's cache, which measured faster than a 2 MB filter with fewer
	// false positives), so most rows of a dataset (people not in the
	// registry) are turned away by one load from cache; about 4% of
	// outsiders get as far as the table.
	slots  []slot
	shift  uint
	filter []uint64
	fshift uint
}

// NewSnapshot builds the lookup table over members (their Household
// fields index households). It fails on a duplicate ID number.
func NewSnapshot(at time.Time, households []Household, members []Member) (*Snapshot, error) {
	s := &Snapshot{At: at, Households: households, Members: members}
	if err := s.build(); err != nil {
		return nil, err
	}
	return s, nil
}

// Restrict returns a snapshot with only the households keep accepts (and
// their members), sharing nothing mutable with s.
func (s *Snapshot) Restrict(keep func(*Household) bool) *Snapshot {
	remap := make([]int32, len(s.Households))
	var hh []Household
	for i := range s.Households {
		remap[i] = -1
		if keep(&s.Households[i]) {
			remap[i] = int32(len(hh))
			hh = append(hh, s.Households[i])
		}
	}
	var mm []Member
	heads := map[int32]int32{}
	for i, m := range s.Members {
		if h := remap[m.Household]; h >= 0 {
			if s.Households[m.Household].Head == int32(i) {
				heads[h] = int32(len(mm))
			}
			m.Household = h
			mm = append(mm, m)
		}
	}
	for i := range hh {
		hh[i].Head = -1
		if m, ok := heads[int32(i)]; ok {
			hh[i].Head = m
		}
	}
	out := &Snapshot{At: s.At, Households: hh, Members: mm, IncomeLines: s.IncomeLines}
	_ = out.build() // members of s are unique already
	return out
}

func (s *Snapshot) build() error {
	n := len(s.Members)
	size := 16
	for size < 2*n {
		size <<= 1
	}
	s.slots = make([]slot, size)
	s.shift = uint(64 - bits.TrailingZeros(uint(size)))
	words := 64
	for words*64 < 8*n {
		words <<= 1
	}
	s.filter = make([]uint64, words)
	s.fshift = uint(64 - bits.TrailingZeros(uint(words)))
	mask := uint64(size - 1)
	for i, m := range s.Members {
		h := hashKey(m.Key)
		s.filter[h>>s.fshift] |= filterBits(h)
		for j := h >> s.shift; ; j = (j + 1) & mask {
			if s.slots[j].key == 0 {
				s.slots[j] = slot{m.Key, int32(i)}
				break
			}
			if s.slots[j].key == m.Key {
				return fmt.Errorf("身份证号 %s 在快照中出现两次", idcard.Mask(idcard.Unpack(m.Key)))
			}
		}
	}
	return nil
}

// slot is one entry of the table: key and member side by side, so a hit
// costs one cache miss.
type slot struct {
	key    uint64
	member int32
}

func hashKey(k uint64) uint64 { return k * 0x9E3779B97F4A7C15 }

// filterBits are the three bits of a key in its filter word, taken from
// the hash's middle bits (the word index uses the high ones, and the low
// bits of a multiplicative hash are weak).
func filterBits(h uint64) uint64 {
	return 1<<(h>>14&63) | 1<<(h>>20&63) | 1<<(h>>26&63)
}

// lookup returns the member index of a packed ID number, -1 when absent.
func (s *Snapshot) lookup(key uint64) int32 {
	if s.filterMiss(key) < 0 {
		return -1
	}
	return s.probe(key)
}

// filterMiss is 0 when key may be a member, -1 when it surely is not. It
// has no branch, so a loop over many keys overlaps their cache misses.
func (s *Snapshot) filterMiss(key uint64) int32 {
	h := hashKey(key)
	b := filterBits(h)
	x := s.filter[h>>s.fshift]&b ^ b // 0 when all three bits are set
	return -int32((x | -x) >> 63)
}

// probe looks key up in the table, -1 when absent.
func (s *Snapshot) probe(key uint64) int32 {
	mask := uint64(len(s.slots) - 1)
	for j := hashKey(key) >> s.shift; ; j = (j + 1) & mask {
		switch s.slots[j].key {
		case key:
			return s.slots[j].member
		case 0:
			return -1
		}
	}
}

// Lookup returns the member with the ID number, nil when not listed.
func (s *Snapshot) Lookup(idNumber string) *Member {
	k, ok := idcard.Pack(strings.TrimSpace(idNumber))
	if !ok {
		return nil
	}
	if i := s.lookup(k); i >= 0 {
		return &s.Members[i]
	}
	return nil
}

// today is the snapshot's date.
func (s *Snapshot) today() Day {
	at := s.At
	if at.IsZero() {
		at = time.Now()
	}
	return dayOf(at.In(db.Shanghai))
}

// incomeLine returns the line of year for region (the most specific prefix
// row; the latest earlier year when the year has none), 0 when unknown.
func (s *Snapshot) incomeLine(year int, region string) int64 {
	best, bestYear, bestLen := int64(0), -1, -1
	for _, l := range s.IncomeLines {
		if l.Year > year || !regioncode.Within(region, l.RegionCode) {
			continue
		}
		n := len(regioncode.Prefix(l.RegionCode))
		if l.Year > bestYear || (l.Year == bestYear && n > bestLen) {
			best, bestYear, bestLen = l.LineFen, l.Year, n
		}
	}
	return best
}

// LoadSnapshot reads the registry as the rules see it: the active members
// of households that are applying, registered, or exited and still within
// their policy period (policy_until not past); removed households and
// exited ones past their policy period are not checked.
//
// Both tables are read whole, in storage order, and filtered here: a plain
// scan is several times faster than following an index to every row, and
// households and members are read at the same time.
func LoadSnapshot(ctx context.Context, q db.Queryer) (*Snapshot, error) {
	at := time.Now()
	today := dayOf(at.In(db.Shanghai))
	s := &Snapshot{At: at}
	type rawMember struct {
		Member
		household int64
	}
	var heads []uint64
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var n sql.NullInt64
		if err := q.QueryRowContext(gctx, `SELECT MAX(id) FROM households`).Scan(&n); err != nil {
			return fmt.Errorf("load snapshot households: %w", err)
		}
		s.Households = make([]Household, 0, min(n.Int64, 1<<24))
		heads = make([]uint64, 0, min(n.Int64, 1<<24))
		rows, err := q.QueryContext(gctx, `SELECT id, region_code, status, registered_on, exited_on, policy_until, members_count, head_id_number FROM households`)
		if err != nil {
			return fmt.Errorf("load snapshot households: %w", err)
		}
		defer rows.Close()
		var reg, exit, until sql.NullString
		var head sql.RawBytes
		for rows.Next() {
			var h Household
			var size int64
			if err := rows.Scan(&h.ID, &h.RegionCode, &h.Status, &reg, &exit, &until, &size, &head); err != nil {
				return fmt.Errorf("load snapshot households: %w", err)
			}
			h.RegisteredOn, h.ExitedOn, h.PolicyUntil = dbDay(reg.String), dbDay(exit.String), dbDay(until.String)
			switch {
			case h.Status == "applying" || h.Status == "registered":
			case h.Status == "exited" && (h.PolicyUntil == 0 || h.PolicyUntil >= today):
			default:
				continue
			}
			h.Size, h.Head = int32(size), -1
			k, _ := packID(head)
			s.Households = append(s.Households, h)
			heads = append(heads, k)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("load snapshot households: %w", err)
		}
		return nil
	})
	// Members in id ranges read side by side on SQLite, whose driver
	// spends most of the time per row in its own code (two cores halve
	// it); one query on PostgreSQL, where ranges measured slower.
	// (Each aggregate alone, as a subquery: that is the form both
	// databases answer from the primary key instead of a scan.)
	var lo, hi sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT (SELECT MIN(id) FROM members), (SELECT MAX(id) FROM members)`).Scan(&lo, &hi); err != nil {
		return nil, fmt.Errorf("load snapshot members: %w", err)
	}
	parts := 1
	if q.Dialect() == db.SQLite && hi.Int64-lo.Int64 > 100_000 {
		parts = max(1, runtime.GOMAXPROCS(0))
	}
	chunks := make([][]rawMember, parts)
	for p := 0; p < parts; p++ {
		from := lo.Int64 + (hi.Int64-lo.Int64+1)*int64(p)/int64(parts)
		to := lo.Int64 + (hi.Int64-lo.Int64+1)*int64(p+1)/int64(parts)
		g.Go(func() error {
			rows, err := q.QueryContext(gctx, `SELECT id, household_id, id_number, name FROM members WHERE id >= ? AND id < ? AND active = 1`, from, to)
			if err != nil {
				return fmt.Errorf("load snapshot members: %w", err)
			}
			defer rows.Close()
			out := make([]rawMember, 0, min(to-from, 1<<24))
			var idn sql.RawBytes
			for rows.Next() {
				var m rawMember
				if err := rows.Scan(&m.ID, &m.household, &idn, &m.Name); err != nil {
					return fmt.Errorf("load snapshot members: %w", err)
				}
				k, ok := packID(bytes.TrimSpace(idn))
				if !ok {
					continue // the registry validates ID numbers; a malformed one cannot match anything
				}
				m.Key = k
				out = append(out, m)
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("load snapshot members: %w", err)
			}
			chunks[p] = out
			return nil
		})
	}
	var lines []IncomeLine
	g.Go(func() error {
		var err error
		lines, err = loadIncomeLines(gctx, q)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	s.IncomeLines = lines
	// Households by id; members grouped by household in id order.
	if !slices.IsSortedFunc(s.Households, func(a, b Household) int { return compareInt64(a.ID, b.ID) }) {
		order := make([]int, len(s.Households))
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(a, b int) bool { return s.Households[order[a]].ID < s.Households[order[b]].ID })
		hh := make([]Household, len(order))
		hk := make([]uint64, len(order))
		for i, o := range order {
			hh[i], hk[i] = s.Households[o], heads[o]
		}
		s.Households, heads = hh, hk
	}
	n := 0
	for _, c := range chunks {
		n += len(c)
	}
	s.Members = make([]Member, 0, n)
	for p, c := range chunks {
		for _, m := range c {
			i, ok := slices.BinarySearchFunc(s.Households, m.household, func(h Household, id int64) int { return compareInt64(h.ID, id) })
			if !ok {
				continue
			}
			m.Member.Household = int32(i)
			s.Members = append(s.Members, m.Member)
		}
		chunks[p] = nil
	}
	byHousehold := func(a, b Member) int {
		if a.Household != b.Household {
			return int(a.Household - b.Household)
		}
		return compareInt64(a.ID, b.ID)
	}
	if !slices.IsSortedFunc(s.Members, byHousehold) {
		slices.SortFunc(s.Members, byHousehold)
	}
	counted := make([]int32, len(s.Households))
	for i, m := range s.Members {
		counted[m.Household]++
		if heads[m.Household] == m.Key {
			s.Households[m.Household].Head = int32(i)
		}
	}
	for i := range s.Households {
		if s.Households[i].Size <= 0 {
			s.Households[i].Size = counted[i]
		}
	}
	if err := s.build(); err != nil {
		return nil, err
	}
	return s, nil
}

func loadIncomeLines(ctx context.Context, q db.Queryer) ([]IncomeLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT year, region_code, line_fen FROM income_lines ORDER BY year, region_code`)
	if err != nil {
		return nil, fmt.Errorf("load income lines: %w", err)
	}
	defer rows.Close()
	var out []IncomeLine
	for rows.Next() {
		var l IncomeLine
		if err := rows.Scan(&l.Year, &l.RegionCode, &l.LineFen); err != nil {
			return nil, fmt.Errorf("load income lines: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// dbDay reads a stored YYYY-MM-DD date (a timestamp's date part too).
func dbDay(s string) Day {
	if len(s) < 10 {
		return 0
	}
	t, err := time.Parse(time.DateOnly, s[:10])
	if err != nil {
		return 0
	}
	return dayOf(t)
}
