package oversight

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

var updateDraw = flag.Bool("update-draw", false, "rewrite testdata/draw_vectors.json from the current Draw (only when the algorithm changes on purpose)")

// drawVector is one published test vector of the draw.
type drawVector struct {
	Name                string    `json:"name"`
	Seed                string    `json:"seed"`
	SeedHash            string    `json:"seed_hash"`
	Population          []int64   `json:"population"`
	PopulationHash      string    `json:"population_hash"`
	SampleSize          int       `json:"sample_size"`
	InspectorPool       []int64   `json:"inspector_pool"`
	InspectorsPerTarget int       `json:"inspectors_per_target"`
	Sample              []int64   `json:"sample"`
	InspectorsDrawn     [][]int64 `json:"inspectors_drawn"`
}

type drawVectorFile struct {
	Algorithm string       `json:"algorithm"`
	Vectors   []drawVector `json:"vectors"`
}

const vectorsPath = "testdata/draw_vectors.json"

func seqSeed(start byte) []byte {
	s := make([]byte, SeedSize)
	for i := range s {
		s[i] = start + byte(i)
	}
	return s
}

// vectorInputs are the inputs of the published vectors; the expected outputs are in the file.
func vectorInputs() []drawVector {
	pop := []int64{}
	for i := int64(0); i < 40; i++ {
		pop = append(pop, 1000+i*i*7%997+i) // distinct, irregular gaps
	}
	slices.Sort(pop)
	p16 := []int64{}
	for i := int64(1); i <= 16; i++ {
		p16 = append(p16, i*10)
	}
	return []drawVector{
		{Name: "households-40-take-6", Seed: hex.EncodeToString(seqSeed(0)), Population: pop, SampleSize: 6,
			InspectorPool: []int64{3, 8, 11, 25, 40}, InspectorsPerTarget: 2},
		{Name: "power-of-two-16-take-all", Seed: hex.EncodeToString(seqSeed(0x80)), Population: p16, SampleSize: 16,
			InspectorPool: []int64{7, 9}, InspectorsPerTarget: 2},
		{Name: "single", Seed: hex.EncodeToString(bytes.Repeat([]byte{0xff}, SeedSize)), Population: []int64{42}, SampleSize: 1,
			InspectorPool: []int64{5}, InspectorsPerTarget: 1},
	}
}

func computeVector(v drawVector) drawVector {
	seed, _ := hex.DecodeString(v.Seed)
	v.SeedHash = SeedHash(seed)
	v.PopulationHash = PopulationHash(v.Population)
	v.Sample = DrawTargets(seed, v.Population, v.SampleSize)
	v.InspectorsDrawn = make([][]int64, len(v.Sample))
	for t := range v.Sample {
		v.InspectorsDrawn[t] = DrawInspectors(seed, v.InspectorPool, v.InspectorsPerTarget, t)
	}
	return v
}

func readVectors(t *testing.T) drawVectorFile {
	t.Helper()
	b, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	var f drawVectorFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// The published vectors hold: the file was written once, and Draw must keep giving exactly it.
func TestDrawVectors(t *testing.T) {
	if *updateDraw {
		f := drawVectorFile{Algorithm: "see docs/api.md, Random spot checks: partial Fisher-Yates over the ascending ids, " +
			"r = be64(SHA-256(seed ‖ domain ‖ be32(i) ‖ be32(ctr))[0:8]) with rejection r ≥ 2^64 − (2^64 mod m); " +
			"domain \"target\" for the sample, \"inspector\" ‖ be32(t) for the inspectors of target position t (0-based)"}
		for _, v := range vectorInputs() {
			f.Vectors = append(f.Vectors, computeVector(v))
		}
		b, _ := json.MarshalIndent(f, "", " ")
		if err := os.WriteFile(vectorsPath, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f := readVectors(t)
	if len(f.Vectors) != len(vectorInputs()) {
		t.Fatalf("%d vectors in the file, want %d", len(f.Vectors), len(vectorInputs()))
	}
	for _, v := range f.Vectors {
		got := computeVector(v)
		if got.SeedHash != v.SeedHash || got.PopulationHash != v.PopulationHash {
			t.Errorf("%s: hashes %s/%s, published %s/%s", v.Name, got.SeedHash, got.PopulationHash, v.SeedHash, v.PopulationHash)
		}
		if !slices.Equal(got.Sample, v.Sample) {
			t.Errorf("%s: sample %v, published %v", v.Name, got.Sample, v.Sample)
		}
		for i := range v.InspectorsDrawn {
			if !slices.Equal(got.InspectorsDrawn[i], v.InspectorsDrawn[i]) {
				t.Errorf("%s: inspectors of %d: %v, published %v", v.Name, i, got.InspectorsDrawn[i], v.InspectorsDrawn[i])
			}
		}
		if len(v.Sample) != v.SampleSize {
			t.Errorf("%s: published sample has %d ids, want %d", v.Name, len(v.Sample), v.SampleSize)
		}
	}
	// docs/api.md publishes the first vector: it must be this one.
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "api.md"))
	if err != nil {
		t.Fatal(err)
	}
	sb, _ := json.Marshal(f.Vectors[0].Sample)
	ib, _ := json.Marshal(f.Vectors[0].InspectorsDrawn)
	for _, want := range []string{f.Vectors[0].Seed, f.Vectors[0].SeedHash, f.Vectors[0].PopulationHash, string(sb), string(ib)} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("docs/api.md does not publish %s of the first test vector", want)
		}
	}
	// The first step of the first vector, by hand: i = 0, ctr = 0, j = r mod n.
	v := f.Vectors[0]
	seed, _ := hex.DecodeString(v.Seed)
	h := sha256.Sum256(append(append(append([]byte{}, seed...), "target"...), 0, 0, 0, 0, 0, 0, 0, 0))
	j := binary.BigEndian.Uint64(h[:8]) % uint64(len(v.Population))
	if v.Sample[0] != v.Population[j] {
		t.Errorf("first target %d, by hand %d", v.Sample[0], v.Population[j])
	}
}

// runNode runs scripts/verify-draw.mjs; CI has node, so a missing node fails the test.
func runNode(t *testing.T, args ...string) ([]byte, int) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not on PATH: the stand-alone verifier scripts/verify-draw.mjs must be tested (%v)", err)
	}
	cmd := exec.Command(node, append([]string{filepath.Join("..", "..", "scripts", "verify-draw.mjs")}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if stderr.Len() > 0 {
		t.Logf("node stderr: %s", stderr.String())
	}
	return out, code
}

// The Node script, written apart from the Go code, gives the published vectors.
func TestDrawNodeScriptMatchesVectors(t *testing.T) {
	out, code := runNode(t, vectorsPath)
	if code != 0 {
		t.Fatalf("verify-draw.mjs exit %d: %s", code, out)
	}
	var got []struct {
		Name           string    `json:"name"`
		SeedHash       string    `json:"seed_hash"`
		PopulationHash string    `json:"population_hash"`
		Sample         []int64   `json:"sample"`
		Inspectors     [][]int64 `json:"inspectors"`
		SampleMatches  bool      `json:"sample_matches"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	f := readVectors(t)
	if len(got) != len(f.Vectors) {
		t.Fatalf("node answered %d vectors, want %d", len(got), len(f.Vectors))
	}
	for i, v := range f.Vectors {
		g := got[i]
		if !slices.Equal(g.Sample, v.Sample) || g.SeedHash != v.SeedHash || g.PopulationHash != v.PopulationHash || !g.SampleMatches {
			t.Errorf("%s: node %+v, published %+v", v.Name, g, v)
		}
		for k := range v.InspectorsDrawn {
			if !slices.Equal(g.Inspectors[k], v.InspectorsDrawn[k]) {
				t.Errorf("%s: node inspectors of %d %v, published %v", v.Name, k, g.Inspectors[k], v.InspectorsDrawn[k])
			}
		}
	}
	// A tampered vector is caught (the script is not a rubber stamp).
	f.Vectors[0].Sample[0], f.Vectors[0].Sample[1] = f.Vectors[0].Sample[1], f.Vectors[0].Sample[0]
	b, _ := json.Marshal(f)
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := runNode(t, bad); code != 1 {
		t.Errorf("tampered vector: exit %d, want 1: %s", code, out)
	}
}

func TestDrawAcceptBoundary(t *testing.T) {
	const max = math.MaxUint64
	// m = 3: 2^64 mod 3 = 1, so every r below 2^64 - 1 is accepted and only 2^64 - 1 is not.
	if !drawAccept(max-1, 3) || drawAccept(max, 3) {
		t.Error("m = 3 boundary")
	}
	// m = 10: 2^64 mod 10 = 6: reject the top 6 values.
	if !drawAccept(max-6, 10) || drawAccept(max-5, 10) || drawAccept(max, 10) {
		t.Error("m = 10 boundary")
	}
	// A power of two divides 2^64: everything is accepted.
	if !drawAccept(max, 16) || !drawAccept(max, 1) {
		t.Error("power of two rejects")
	}
	// A large m: 2^64 mod (2^63 + 1) = 2^63 - 1, so only r < 2^63 + 1 = m is accepted (half the
	// values are rejected).
	m := uint64(1)<<63 + 1
	if !drawAccept(m-1, m) || drawAccept(m, m) || drawAccept(max, m) {
		t.Error("large m boundary")
	}
}

func TestDrawProperties(t *testing.T) {
	seed := seqSeed(7)
	pop := []int64{50, 10, 40, 30, 20, 60, 70, 80, 90, 100}
	orig := slices.Clone(pop)
	s := DrawTargets(seed, pop, 4)
	if !slices.Equal(pop, orig) {
		t.Error("Draw changed the caller's population")
	}
	if len(s) != 4 {
		t.Fatalf("sample %v", s)
	}
	seen := map[int64]bool{}
	for _, id := range s {
		if seen[id] || !slices.Contains(orig, id) {
			t.Fatalf("sample %v: duplicate or foreign id", s)
		}
		seen[id] = true
	}
	// The order the population is given in does not matter: it is sorted first.
	sorted := slices.Sorted(slices.Values(pop))
	if !slices.Equal(DrawTargets(seed, sorted, 4), s) {
		t.Error("sample depends on the input order")
	}
	// A longer draw extends a shorter one (draw order is the position).
	if long := DrawTargets(seed, pop, 7); !slices.Equal(long[:4], s) {
		t.Errorf("k = 7 %v does not extend k = 4 %v", long, s)
	}
	// k is clamped.
	if got := DrawTargets(seed, pop, 99); len(got) != len(pop) {
		t.Errorf("k > n: %d ids", len(got))
	}
	if got := DrawTargets(seed, nil, 3); len(got) != 0 {
		t.Errorf("empty population: %v", got)
	}
	// A different seed gives a different sample; a different domain too.
	if other := DrawTargets(seqSeed(8), pop, 4); slices.Equal(other, s) {
		t.Errorf("seeds 7 and 8 give the same sample %v", s)
	}
	if ins := Draw(seed, pop, 4, []byte("inspector")); slices.Equal(ins, s) {
		t.Error("the domain does not change the draw")
	}
	if slices.Equal(DrawInspectors(seed, pop, 4, 0), DrawInspectors(seed, pop, 4, 1)) {
		t.Error("inspectors of positions 0 and 1 drawn identically")
	}
	// Hashes: the canonical population is the sorted compact JSON array.
	if string(PopulationJSON([]int64{3, 1, 2})) != "[1,2,3]" || string(PopulationJSON(nil)) != "[]" {
		t.Errorf("PopulationJSON %s", PopulationJSON([]int64{3, 1, 2}))
	}
	if SeedHash([]byte("abc")) != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Error("SeedHash is not SHA-256")
	}
}

// Over many seeds every id is drawn about equally often, at every position: a chi-square test
// with a loose bound (deterministic seeds, so it never flakes).
func TestDrawUniform(t *testing.T) {
	const n, k, runs = 12, 3, 24000
	pop := make([]int64, n)
	for i := range pop {
		pop[i] = int64(100 + 3*i)
	}
	index := map[int64]int{}
	for i, id := range pop {
		index[id] = i
	}
	var any [n]float64
	var first [n]float64
	for r := 0; r < runs; r++ {
		seed := sha256.Sum256(binary.BigEndian.AppendUint32([]byte("uniform"), uint32(r)))
		s := DrawTargets(seed[:], pop, k)
		for _, id := range s {
			any[index[id]]++
		}
		first[index[s[0]]]++
	}
	chi := func(obs [n]float64, expected float64) float64 {
		x := 0.0
		for _, o := range obs {
			x += (o - expected) * (o - expected) / expected
		}
		return x
	}
	// 11 degrees of freedom: P(χ² > 45) < 1e-5.
	if x := chi(any, runs*k/n); x > 45 {
		t.Errorf("membership not uniform: χ² = %.1f, counts %v", x, any)
	}
	if x := chi(first, runs/n); x > 45 {
		t.Errorf("first position not uniform: χ² = %.1f, counts %v", x, first)
	}
	// And the test can fail: a biased draw (always the lowest ids) is far above the bound.
	var biased [n]float64
	for i := 0; i < k; i++ {
		biased[i] = runs
	}
	if x := chi(biased, runs*k/n); x < 1000 {
		t.Errorf("a biased draw scores only χ² = %.1f", x)
	}
}

func FuzzDraw(f *testing.F) {
	f.Add([]byte("seed"), uint8(10), uint8(3), []byte("target"))
	f.Add([]byte{}, uint8(0), uint8(0), []byte{})
	f.Add(bytes.Repeat([]byte{0xff}, 32), uint8(255), uint8(255), []byte("inspector\x00\x00\x00\x01"))
	f.Fuzz(func(t *testing.T, seed []byte, n, k uint8, domain []byte) {
		pop := make([]int64, n)
		for i := range pop {
			pop[i] = int64(i)*7 - 100
		}
		s := Draw(seed, pop, int(k), domain)
		if len(s) != min(int(k), int(n)) {
			t.Fatalf("len %d for n %d k %d", len(s), n, k)
		}
		seen := map[int64]bool{}
		for _, id := range s {
			if seen[id] || (id+100)%7 != 0 || id < -100 || id >= int64(n)*7-100 {
				t.Fatalf("bad sample %v", s)
			}
			seen[id] = true
		}
		if !slices.Equal(s, Draw(seed, pop, int(k), domain)) {
			t.Fatal("not deterministic")
		}
	})
}
