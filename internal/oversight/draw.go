package oversight

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"slices"
)

// The draw of a random spot check (双随机), pure so that anyone can repeat it from the revealed
// seed and the published population (docs/api.md "Random spot checks" spells it out; the
// stand-alone scripts/verify-draw.mjs re-implements it with node:crypto only).
//
// A draw is a partial Fisher-Yates shuffle of the population sorted ascending, driven by
// SHA-256 in counter mode over the seed:
//
//	for i = 0 .. k-1:
//	    m = n - i; ctr = 0
//	    loop: h = SHA-256(seed ‖ domain ‖ be32(i) ‖ be32(ctr)); r = be64(h[0:8])
//	          if r < 2^64 - (2^64 mod m) break   (rejection: no modulo bias)
//	          ctr++
//	    j = i + r mod m; swap P[i], P[j]
//	sample = P[0:k] in draw order
//
// The domain is the ASCII bytes "target" for the targets, and "inspector" ‖ be32(t) for the
// inspectors of the target at position t (0-based), drawn from the pool's user ids.

// Domains of the two draws.
const (
	drawDomainTarget    = "target"
	drawDomainInspector = "inspector"
)

// SeedSize is the length in bytes of a plan's secret seed.
const SeedSize = 32

// Draw returns k ids drawn without replacement from population (any order; it is sorted first,
// the caller's slice is not changed), in draw order, using the given domain. k is clamped to
// [0, len(population)].
func Draw(seed []byte, population []int64, k int, domain []byte) []int64 {
	p := slices.Clone(population)
	slices.Sort(p)
	n := len(p)
	k = max(0, min(k, n))
	buf := make([]byte, 0, len(seed)+len(domain)+8)
	buf = append(buf, seed...)
	buf = append(buf, domain...)
	base := len(buf)
	buf = buf[:base+8]
	for i := 0; i < k; i++ {
		m := uint64(n - i)
		binary.BigEndian.PutUint32(buf[base:], uint32(i))
		var r uint64
		for ctr := uint32(0); ; ctr++ {
			binary.BigEndian.PutUint32(buf[base+4:], ctr)
			h := sha256.Sum256(buf)
			r = binary.BigEndian.Uint64(h[:8])
			if drawAccept(r, m) {
				break
			}
		}
		j := i + int(r%m)
		p[i], p[j] = p[j], p[i]
	}
	return p[:k:k]
}

// drawAccept reports whether r < 2^64 - (2^64 mod m): the largest multiple of m below 2^64
// bounds the accepted values, so r mod m is uniform. 2^64 mod m is computed in 64 bits as
// (2^64 - m) mod m; when it is 0 every r is accepted.
func drawAccept(r, m uint64) bool {
	rem := -m % m
	return rem == 0 || r < -rem
}

// DrawTargets draws a plan's sample: k target ids from the population.
func DrawTargets(seed []byte, population []int64, k int) []int64 {
	return Draw(seed, population, k, []byte(drawDomainTarget))
}

// DrawInspectors draws the k inspectors (user ids from the pool) of the target at position pos.
func DrawInspectors(seed []byte, pool []int64, k int, pos int) []int64 {
	d := binary.BigEndian.AppendUint32([]byte(drawDomainInspector), uint32(pos))
	return Draw(seed, pool, k, d)
}

// SeedHash is the published commitment to a seed: hex(SHA-256(seed bytes)).
func SeedHash(seed []byte) string {
	h := sha256.Sum256(seed)
	return hex.EncodeToString(h[:])
}

// PopulationJSON is the canonical form of a population: its ids sorted ascending as a compact
// JSON array ("[3,17,42]"); PopulationHash is hex(SHA-256) of exactly these bytes.
func PopulationJSON(ids []int64) []byte {
	p := slices.Clone(ids)
	slices.Sort(p)
	if p == nil {
		p = []int64{}
	}
	b, _ := json.Marshal(p)
	return b
}

// PopulationHash is hex(SHA-256(PopulationJSON(ids))).
func PopulationHash(ids []int64) string {
	h := sha256.Sum256(PopulationJSON(ids))
	return hex.EncodeToString(h[:])
}
