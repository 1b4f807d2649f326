package main

import (
	"strings"
	"testing"
)

// A command's help names the web UI's button that does the same, since the web pages
// and report.html name buttons and never commands.
func TestHelpNamesTheWebButtons(t *testing.T) {
	for name, buttons := range webButtons {
		if _, ok := commandNamed(name); !ok {
			t.Errorf("web buttons for %q, which is no command", name)
		}
		_, _, errs := nightly(t, nil, name, "--help")
		if !strings.Contains(errs, "In the web UI: "+buttons) {
			t.Errorf("nightly %s --help does not name the web buttons:\n%s", name, errs)
		}
	}
	if _, _, errs := nightly(t, nil, "exceptions", "--help"); !strings.Contains(errs, "「返金した」") {
		t.Errorf("exceptions --help does not name 返金した")
	}
}

func commandNamed(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}
