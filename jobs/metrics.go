package jobs

import (
	"path/filepath"
	"time"

	"github.com/npress/nightly/filemode"
	"github.com/npress/nightly/report"
)

// writeMetrics writes OUT/nightly.prom (report.Metrics), readable by the node_exporter
// that collects it. A dry run writes none; a failure to write is logged, never fatal.
func writeMetrics(n *Night, s Summary, end time.Time) {
	if n.DryRun {
		return
	}
	path := filepath.Join(n.Config.OutDir, "nightly.prom")
	if err := filemode.WriteAtomic(path, report.Metrics(s, end), 0o644); err != nil {
		n.Log.Error("write metrics", "path", path, "error", err)
	}
}
