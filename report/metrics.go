package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Metrics is a finished night in the Prometheus text format, for the node_exporter
// textfile collector (SPEC §9.3): when it ended, how long it and each step took, what
// each step changed and how many exceptions it left for staff.
func Metrics(s Summary, end time.Time) []byte {
	var b strings.Builder
	gauge := func(name, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
	}
	gauge("nightly_last_success_timestamp_seconds", "When the last night finished successfully.")
	fmt.Fprintf(&b, "nightly_last_success_timestamp_seconds %d\n", end.Unix())
	gauge("nightly_run_duration_seconds", "How long the last night took.")
	fmt.Fprintf(&b, "nightly_run_duration_seconds %.3f\n", s.Duration)
	gauge("nightly_open_exceptions", "Exceptions left for staff after the last night.")
	fmt.Fprintf(&b, "nightly_open_exceptions %d\n", s.OpenExceptions)
	gauge("nightly_step_changes", "What each step of the last night changed.")
	for _, st := range s.Steps {
		for _, k := range slices.Sorted(maps.Keys(st.Changes)) {
			fmt.Fprintf(&b, "nightly_step_changes{step=%q,what=%q} %d\n", st.Name, k, st.Changes[k])
		}
	}
	gauge("nightly_step_duration_seconds", "How long each step of the last night took.")
	for _, st := range s.Steps {
		fmt.Fprintf(&b, "nightly_step_duration_seconds{step=%q} %.3f\n", st.Name, st.Duration)
	}
	return []byte(b.String())
}
