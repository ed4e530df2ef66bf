package crosscheck

import "sunshine/internal/idcard"

func mustPack(s string) uint64 {
	k, ok := idcard.Pack(s)
	if !ok {
		panic("bad id " + s)
	}
	return k
}
