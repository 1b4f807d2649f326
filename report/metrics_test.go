package report

import (
	"testing"
	"time"
)

func TestMetrics(t *testing.T) {
	s := Summary{Duration: 12.3456, OpenExceptions: 4, Steps: []Step{
		{Name: "bank", Duration: 1.5, Changes: map[string]int{"payments": 3, "exceptions": 1}},
		{Name: "report", Duration: 0.25},
	}}
	got := string(Metrics(s, time.Unix(1796000000, 0)))
	want := `# HELP nightly_last_success_timestamp_seconds When the last night finished successfully.
# TYPE nightly_last_success_timestamp_seconds gauge
nightly_last_success_timestamp_seconds 1796000000
# HELP nightly_run_duration_seconds How long the last night took.
# TYPE nightly_run_duration_seconds gauge
nightly_run_duration_seconds 12.346
# HELP nightly_open_exceptions Exceptions left for staff after the last night.
# TYPE nightly_open_exceptions gauge
nightly_open_exceptions 4
# HELP nightly_step_changes What each step of the last night changed.
# TYPE nightly_step_changes gauge
nightly_step_changes{step="bank",what="exceptions"} 1
nightly_step_changes{step="bank",what="payments"} 3
# HELP nightly_step_duration_seconds How long each step of the last night took.
# TYPE nightly_step_duration_seconds gauge
nightly_step_duration_seconds{step="bank"} 1.500
nightly_step_duration_seconds{step="report"} 0.250
`
	if got != want {
		t.Errorf("Metrics =\n%s\nwant\n%s", got, want)
	}
}
