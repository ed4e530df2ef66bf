package oversight

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"sunshine/internal/crosscheck"
	"sunshine/internal/db"
	"sunshine/internal/idcard"
	"sunshine/internal/regioncode"
)

// personFacts are what the outside datasets (and the registry) say about people, by packed ID
// number (idcard.Pack): when they died, when they were public employees (财政供养), and whether
// they are a cadre or a cadre's close relative (干部及近亲属). The funds checks read the
// dataset facts; the registry checks may read the registry's own death dates too (DeathOf).
type personFacts struct {
	// Datasets are the ids of the datasets read, ascending: the cache key of the facts.
	Datasets []int64

	deaths   map[uint64]deathFact
	employ   map[uint64][]employment
	cadre    map[uint64][]cadreRel
	registry map[uint64]int32 // members.deceased_on (earliest), yyyymmdd
}

// deathFact is a death date from a death dataset.
type deathFact struct {
	Day     int32 // yyyymmdd
	Dataset int64
	Line    int64
}

// employment is one row of a public-employee dataset: employed from From to To (0 = open).
type employment struct {
	From, To int32 // yyyymmdd, 0 = unknown/open
	Employer string
	Position string
	Dataset  int64
	Line     int64
}

// cadreRel is one row of a cadre-relative dataset: the person is Relation of the cadre.
type cadreRel struct {
	Relation      string // self, spouse, parent, child, sibling, in_law
	CadreName     string
	CadrePosition string
	Dataset       int64
	Line          int64
}

// factKinds are the dataset kinds the facts come from.
var factKinds = []crosscheck.Kind{crosscheck.KindDeath, crosscheck.KindPublicEmployee, crosscheck.KindCadreRelative}

// Death is the earliest death date of a death dataset row for the person.
func (f *personFacts) Death(key uint64) (deathFact, bool) {
	if f == nil {
		return deathFact{}, false
	}
	d, ok := f.deaths[key]
	return d, ok
}

// DeathOf is the earliest death date known for the person, from the registry (members.deceased_on)
// or a death dataset, as YYYY-MM-DD with its source ("registry" or "dataset"); "" when none.
func (f *personFacts) DeathOf(key uint64) (date, source string) {
	if f == nil {
		return "", ""
	}
	reg := f.registry[key]
	d, ok := f.deaths[key]
	switch {
	case ok && (reg == 0 || d.Day < reg):
		return ymdText(d.Day), "dataset"
	case reg != 0:
		return ymdText(reg), "registry"
	}
	return "", ""
}

// Employments are the person's rows of public-employee datasets.
func (f *personFacts) Employments(key uint64) []employment {
	if f == nil {
		return nil
	}
	return f.employ[key]
}

// Cadre are the person's rows of cadre-relative datasets.
func (f *personFacts) Cadre(key uint64) []cadreRel {
	if f == nil {
		return nil
	}
	return f.cadre[key]
}

// factDataset is a dataset the facts are read from.
type factDataset struct {
	id     int64
	kind   crosscheck.Kind
	sha    string
	format string
}

// factDatasets picks, for each fact kind and each registering region that covers region (an
// office above it or region itself) or lies within it, the newest dataset in use (latest as-of
// date, then latest registered). region "" takes every region's newest.
func factDatasets(ctx context.Context, q db.Queryer, region string) ([]factDataset, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, kind, sha256, format, region_code FROM datasets
		WHERE kind IN (?, ?, ?) AND retired_at IS NULL ORDER BY kind, region_code, as_of DESC, id DESC`,
		string(crosscheck.KindDeath), string(crosscheck.KindPublicEmployee), string(crosscheck.KindCadreRelative))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []factDataset
	var lastKind, lastRegion string
	for rows.Next() {
		var d factDataset
		var kind, reg string
		if err := rows.Scan(&d.id, &kind, &d.sha, &d.format, &reg); err != nil {
			return nil, err
		}
		if kind == lastKind && reg == lastRegion {
			continue // an older one of the same kind and region
		}
		lastKind, lastRegion = kind, reg
		if region != "" && !regioncode.Within(region, reg) && !regioncode.Within(reg, region) {
			continue
		}
		d.kind = crosscheck.Kind(kind)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b factDataset) int { return int(a.id - b.id) })
	return out, nil
}

// factDatasetIDs are the ids factDatasets would pick: the cache key of loaded facts.
func factDatasetIDs(ds []factDataset) []int64 {
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.id
	}
	return ids
}

// loadFacts reads the person facts for a run over region ("" = everywhere): every row of the
// chosen death, public-employee and cadre-relative datasets (files at dir/datasets/<sha256>.<format>)
// and the registry's death dates. The datasets are scanned without a registry snapshot, so a
// payee who is in no household (or whose household was removed) is still known to them: those
// are exactly the payees the funds checks must not miss.
func loadFacts(ctx context.Context, cache *factCache, q db.Queryer, dir, region string) (*personFacts, error) {
	f, err := datasetFacts(ctx, cache, q, dir, region)
	if err != nil {
		return nil, err
	}
	out := *f // share the (read-only) dataset maps; the registry's deaths are read afresh
	out.registry = map[uint64]int32{}
	rows, err := q.QueryContext(ctx, `SELECT id_number, deceased_on FROM members WHERE deceased_on IS NOT NULL AND deceased_on <> ''`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var idn, on string
		if err := rows.Scan(&idn, &on); err != nil {
			return nil, err
		}
		k, ok := idcard.Pack(strings.TrimSpace(idn))
		d := ymdNum(on)
		if !ok || d == 0 {
			continue
		}
		if old := out.registry[k]; old == 0 || d < old {
			out.registry[k] = d
		}
	}
	return &out, rows.Err()
}

// factCache keeps the dataset facts last read per data directory and region: dataset files
// never change (they are named by their SHA-256), so the facts are read again only when the
// set of datasets in use changes (a new one registered, one retired).
type factCache struct {
	mu sync.Mutex
	m  map[string]*personFacts
}

func (c *factCache) get(key string) *personFacts {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key]
}

func (c *factCache) put(key string, f *personFacts) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*personFacts{}
	}
	c.m[key] = f
}

// datasetFacts are the facts of the datasets in use for region, from the cache when the set of
// dataset ids is the one read last time.
func datasetFacts(ctx context.Context, cache *factCache, q db.Queryer, dir, region string) (*personFacts, error) {
	ds, err := factDatasets(ctx, q, region)
	if err != nil {
		return nil, err
	}
	ids := factDatasetIDs(ds)
	key := dir + "|" + region
	f := cache.get(key)
	if f != nil && slices.Equal(f.Datasets, ids) {
		return f, nil
	}
	if f, err = scanFacts(ctx, dir, ds); err != nil {
		return nil, err
	}
	cache.put(key, f)
	return f, nil
}

// scanFacts reads the datasets' rows into facts.
func scanFacts(ctx context.Context, dir string, ds []factDataset) (*personFacts, error) {
	f := &personFacts{Datasets: factDatasetIDs(ds), deaths: map[uint64]deathFact{}, employ: map[uint64][]employment{},
		cadre: map[uint64][]cadreRel{}}
	for _, d := range ds {
		spec, ok := crosscheck.SpecOf(d.kind)
		if !ok {
			continue
		}
		col := func(name string) int {
			for i, c := range spec.Columns {
				if c.Name == name {
					return i
				}
			}
			return -1
		}
		var fn func(m crosscheck.Match, key uint64)
		switch d.kind {
		case crosscheck.KindDeath:
			day := col("death_date")
			fn = func(m crosscheck.Match, key uint64) {
				v := ymdOfDay(crosscheck.Day(m.Nums[day]))
				if v == 0 {
					return
				}
				if old, ok := f.deaths[key]; !ok || v < old.Day {
					f.deaths[key] = deathFact{Day: v, Dataset: d.id, Line: m.Line}
				}
			}
		case crosscheck.KindPublicEmployee:
			emp, pos, from, to := col("employer"), col("position"), col("from_date"), col("to_date")
			fn = func(m crosscheck.Match, key uint64) {
				f.employ[key] = append(f.employ[key], employment{From: ymdOfDay(crosscheck.Day(m.Nums[from])), To: ymdOfDay(crosscheck.Day(m.Nums[to])),
					Employer: m.Values[emp], Position: m.Values[pos], Dataset: d.id, Line: m.Line})
			}
		case crosscheck.KindCadreRelative:
			rel, name, pos := col("relation"), col("cadre_name"), col("cadre_position")
			values := spec.Columns[rel].Values
			fn = func(m crosscheck.Match, key uint64) {
				r := ""
				if i := int(m.Nums[rel]); i >= 0 && i < len(values) {
					r = values[i]
				}
				f.cadre[key] = append(f.cadre[key], cadreRel{Relation: r, CadreName: m.Values[name], CadrePosition: m.Values[pos],
					Dataset: d.id, Line: m.Line})
			}
		}
		path := filepath.Join(dir, "datasets", d.sha+"."+d.format)
		_, err := crosscheck.Scan(ctx, path, d.kind, nil, func(m crosscheck.Match) {
			key, ok := idcard.Pack(strings.TrimSpace(m.Values[0]))
			if ok {
				fn(m, key)
			}
		})
		if err != nil {
			return nil, fmt.Errorf("数据集 %d(%s): %w", d.id, d.kind, err)
		}
	}
	return f, nil
}

// ymdNum reads YYYY-MM-DD (or a timestamp's date part) as yyyymmdd; 0 when malformed.
func ymdNum(s string) int32 {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return 0
	}
	var v int32
	for i := 0; i < 10; i++ {
		if i == 4 || i == 7 {
			continue
		}
		c := s[i]
		if c < '0' || c > '9' {
			return 0
		}
		v = v*10 + int32(c-'0')
	}
	return v
}

// ymdText formats yyyymmdd as YYYY-MM-DD ("" for 0).
func ymdText(v int32) string {
	if v == 0 {
		return ""
	}
	s := strconv.Itoa(int(v))
	if len(s) != 8 {
		return ""
	}
	return s[:4] + "-" + s[4:6] + "-" + s[6:]
}

// ymdOfDay converts a dataset Day to yyyymmdd (0 for none).
func ymdOfDay(d crosscheck.Day) int32 {
	if d == 0 {
		return 0
	}
	y, m, dd := d.Time().Date()
	return int32(y*10000 + int(m)*100 + dd)
}
