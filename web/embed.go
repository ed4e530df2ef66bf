// Package web holds the built front end, embedded into the sunshine binary.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Assets returns the built front end (index.html at its root).
func Assets() fs.FS {
	s, _ := fs.Sub(dist, "dist")
	return s
}
