package main

import (
	"strings"
	"testing"
)

// `config show` hides the password of a DSN in every form (issue 13, #8).
func TestConfigShowHidesPasswordInEveryForm(t *testing.T) {
	for _, dsn := range []string{
		"MYSQL://nightly:s3cret@tcp(db:3306)/nightly",
		"nightly:s3cret@tcp(db:3306)/nightly",
		"Mysql://nightly:s3:cr@et@tcp(db:3306)/nightly",
	} {
		code, out, errs := nightly(t, map[string]string{"NIGHTLY_DB": dsn}, "config", "show")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", dsn, code, errs)
		}
		if strings.Contains(out, "s3") || !strings.Contains(out, "nightly:***@tcp(db:3306)/nightly") {
			t.Errorf("config show with %s:\n%s", dsn, out)
		}
	}
}
