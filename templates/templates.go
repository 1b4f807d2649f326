// Package templates holds what staff may change without a code change: invoice wording,
// issuer data and layout, the report HTML, and the Japanese font (IPAex Gothic, with its
// licence). The defaults are embedded in the binary; a configured folder of edited
// copies overrides them file by file (SPEC §8.2).
package templates

import (
	"embed"
	"errors"
	"io/fs"
	"os"
)

//go:embed all:defaults font
var embedded embed.FS

// FontPath is the path, inside the FS returned by Open, of the embedded TrueType font.
const FontPath = "font/ipaexg.ttf"

// Open returns the templates as one file system: a file in overrideDir (when it is not
// empty) takes the place of the embedded default of the same path; every other file is
// the embedded default. Paths are those below templates/, e.g. "defaults/report.html.tmpl".
func Open(overrideDir string) fs.FS {
	if overrideDir == "" {
		return embedded
	}
	return overlay{top: os.DirFS(overrideDir), base: embedded}
}

type overlay struct{ top, base fs.FS }

// Open implements fs.FS: the override first, then the embedded default.
func (o overlay) Open(name string) (fs.File, error) {
	f, err := o.top.Open(name)
	if err == nil {
		return f, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return o.base.Open(name)
}
