package store

import (
	"testing"
	"testing/fstest"
)

// The rendered migrations are a well-behaved fs.FS: goose lists and reads them.
func TestRenderedMigrationsFS(t *testing.T) {
	for _, d := range []Dialect{SQLite, MySQL} {
		fsys, err := (&DB{Dialect: d}).migrations()
		if err != nil {
			t.Fatal(err)
		}
		if err := fstest.TestFS(fsys, "00001_init.sql", "00005_money.sql"); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
}
