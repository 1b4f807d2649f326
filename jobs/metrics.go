package jobs

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/npress/nightly/filemode"
)

// writeMetrics writes OUT/nightly.prom in the Prometheus text format for the
// node_exporter textfile collector (SPEC §9.3). A dry run writes none.
func writeMetrics(n *Night, s Summary, end time.Time) {
	if n.DryRun {
		return
	}
	var b strings.Builder
	fmt.Fprintln(&b, "# HELP nightly_last_success_timestamp_seconds When the last night finished successfully.")
	fmt.Fprintln(&b, "# TYPE nightly_last_success_timestamp_seconds gauge")
	fmt.Fprintf(&b, "nightly_last_success_timestamp_seconds %d\n", end.Unix())
	fmt.Fprintln(&b, "# HELP nightly_run_duration_seconds How long the last night took.")
	fmt.Fprintln(&b, "# TYPE nightly_run_duration_seconds gauge")
	fmt.Fprintf(&b, "nightly_run_duration_seconds %.3f\n", s.Duration)
	fmt.Fprintln(&b, "# HELP nightly_open_exceptions Exceptions left for staff after the last night.")
	fmt.Fprintln(&b, "# TYPE nightly_open_exceptions gauge")
	fmt.Fprintf(&b, "nightly_open_exceptions %d\n", s.OpenExceptions)
	fmt.Fprintln(&b, "# HELP nightly_step_changes What each step of the last night changed.")
	fmt.Fprintln(&b, "# TYPE nightly_step_changes gauge")
	for _, st := range s.Steps {
		for _, k := range sortedKeys(st.Changes) {
			fmt.Fprintf(&b, "nightly_step_changes{step=%q,what=%q} %d\n", st.Name, k, st.Changes[k])
		}
	}
	fmt.Fprintln(&b, "# HELP nightly_step_duration_seconds How long each step of the last night took.")
	fmt.Fprintln(&b, "# TYPE nightly_step_duration_seconds gauge")
	for _, st := range s.Steps {
		fmt.Fprintf(&b, "nightly_step_duration_seconds{step=%q} %.3f\n", st.Name, st.Duration)
	}
	path := filepath.Join(n.Config.OutDir, "nightly.prom")
	if err := filemode.WriteAtomic(path, []byte(b.String()), 0o644); err != nil {
		n.Log.Error("write metrics", "path", path, "error", err)
	}
}

func sortedKeys(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
