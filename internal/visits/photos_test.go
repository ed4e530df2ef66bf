package visits

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"

	"sunshine/internal/errs"
)

// scene draws a deterministic picture: soft shapes on a gradient, like a photo's large-scale
// structure, so resizing and recompression keep its dHash.
func scene(w, h int, seed uint64) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 7))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	type blob struct {
		x, y, rad float64
		c         [3]float64
	}
	var blobs []blob
	for i := 0; i < 6; i++ {
		blobs = append(blobs, blob{r.Float64() * float64(w), r.Float64() * float64(h), (0.1 + 0.3*r.Float64()) * float64(w),
			[3]float64{r.Float64() * 255, r.Float64() * 255, r.Float64() * 255}})
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := [3]float64{float64(x) * 200 / float64(w), float64(y) * 200 / float64(h), 90}
			for _, b := range blobs {
				dx, dy := float64(x)-b.x, float64(y)-b.y
				if dx*dx+dy*dy < b.rad*b.rad {
					c = b.c
				}
			}
			img.Set(x, y, color.RGBA{uint8(c[0]), uint8(c[1]), uint8(c[2]), 255})
		}
	}
	return img
}

func encJPEG(t testing.TB, img image.Image, q int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func halve(src *image.RGBA) *image.RGBA {
	r := src.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, r.Dx()/2, r.Dy()/2))
	for y := 0; y < r.Dy()/2; y++ {
		for x := 0; x < r.Dx()/2; x++ {
			var s [3]int
			for _, p := range [][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				c := src.RGBAAt(2*x+p[0], 2*y+p[1])
				s[0], s[1], s[2] = s[0]+int(c.R), s[1]+int(c.G), s[2]+int(c.B)
			}
			out.SetRGBA(x, y, color.RGBA{uint8(s[0] / 4), uint8(s[1] / 4), uint8(s[2] / 4), 255})
		}
	}
	return out
}

// A photo recompressed, resized or converted to PNG keeps its hash within the near-duplicate
// distance; a different picture lands far away.
func TestPerceptualHash(t *testing.T) {
	a := scene(640, 480, 1)
	orig, err := inspectPhoto(encJPEG(t, a, 90))
	if err != nil {
		t.Fatal(err)
	}
	if orig.ContentType != "image/jpeg" || orig.Width != 640 || orig.Height != 480 {
		t.Fatalf("info %+v", orig)
	}
	var pngBuf bytes.Buffer
	_ = png.Encode(&pngBuf, a)
	variants := map[string][]byte{"quality 40": encJPEG(t, a, 40), "half size": encJPEG(t, halve(a), 80), "png": pngBuf.Bytes()}
	for name, b := range variants {
		info, err := inspectPhoto(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := Hamming(orig.Hash, info.Hash); d > nearPhotoBits {
			t.Errorf("%s: distance %d (%s vs %s)", name, d, HashHex(orig.Hash), HashHex(info.Hash))
		}
	}
	for seed := uint64(2); seed < 6; seed++ {
		other, _ := inspectPhoto(encJPEG(t, scene(640, 480, seed), 90))
		if d := Hamming(orig.Hash, other.Hash); d <= nearPhotoBits+5 {
			t.Errorf("different picture %d at distance %d", seed, d)
		}
	}
	// Within distance 3 two hashes share a band (pigeonhole): the index finds every near one.
	r := rand.New(rand.NewPCG(3, 3))
	for i := 0; i < 2000; i++ {
		h := r.Uint64()
		g := h
		for k := 0; k < 3; k++ {
			g ^= 1 << r.IntN(64)
		}
		bh, bg := Bands(h), Bands(g)
		if bh[0] != bg[0] && bh[1] != bg[1] && bh[2] != bg[2] && bh[3] != bg[3] {
			t.Fatalf("%x and %x share no band", h, g)
		}
	}
	if got, ok := ParseHash(HashHex(orig.Hash)); !ok || got != orig.Hash {
		t.Error("hash hex round trip")
	}
	if b := Bands(0x0123456789abcdef); b != [4]int64{0x0123, 0x4567, 0x89ab, 0xcdef} {
		t.Errorf("bands %x", b)
	}
}

func TestInspectRejects(t *testing.T) {
	var g bytes.Buffer
	_ = gif.Encode(&g, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White}), nil)
	jp := encJPEG(t, scene(64, 48, 1), 80)
	// A PNG header claiming 100000×100000 pixels: refused before any pixel is allocated.
	var bomb bytes.Buffer
	_ = png.Encode(&bomb, image.NewGray(image.Rect(0, 0, 1, 1)))
	bb := bomb.Bytes()
	copy(bb[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	for name, b := range map[string][]byte{"text": []byte("hello, not an image"), "gif": g.Bytes(), "truncated jpeg": jp[:len(jp)/2],
		"empty": nil, "bomb": bb} {
		if _, err := inspectPhoto(b); errs.CodeOf(err) != errs.Unsupported {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzInspectPhoto(f *testing.F) {
	f.Add(encJPEG(f, scene(32, 24, 1), 80))
	var p bytes.Buffer
	_ = png.Encode(&p, scene(16, 16, 2))
	f.Add(p.Bytes())
	f.Add([]byte("GIF89a"))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := inspectPhoto(b)
		if err != nil {
			if errs.CodeOf(err) != errs.Unsupported {
				t.Fatalf("%v", err)
			}
			return
		}
		if info.Width <= 0 || info.Height <= 0 || (info.ContentType != "image/jpeg" && info.ContentType != "image/png") {
			t.Fatalf("info %+v", info)
		}
	})
}
