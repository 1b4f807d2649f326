package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/report"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// runTracker keeps the reruns started from the web, so that their progress page can
// poll them. It forgets them when the process ends; the run ledger keeps the result.
type runTracker struct {
	mu   sync.Mutex
	wg   sync.WaitGroup
	next int
	runs map[int]*webRun
	// ctx ends when the server shuts down: a night started here then stops between
	// steps, as a cron night does on SIGTERM, and the next run resumes.
	ctx    context.Context
	cancel context.CancelFunc
}

// webRun is one rerun started from the web.
type webRun struct {
	mu        sync.Mutex
	ID        int
	Date      string
	DryRun    bool
	Who       string
	Started   time.Time
	Lines     []string
	Done      bool
	LockHeld  bool
	Error     string
	Summaries []report.Summary
}

func newRunTracker() *runTracker {
	ctx, cancel := context.WithCancel(context.Background())
	return &runTracker{runs: map[int]*webRun{}, ctx: ctx, cancel: cancel}
}

// Write receives the progress lines of the night and keeps them as staff read them.
func (wr *webRun) Write(p []byte) (int, error) {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	for _, l := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		if l, ok := progressLine(l); ok {
			wr.Lines = append(wr.Lines, l)
		}
	}
	return len(p), nil
}

var (
	progressStep = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}): (\w+) …$`)
	progressBank = regexp.MustCompile(`^\s*bank file (.+) \((\w+)\)(?: → .*)?$`)
	progressOrd  = regexp.MustCompile(`^\s*order file (.+?)(?: \(too big, not read\))? → .*$`)
)

// progressLine is a progress line of the night as staff read it: the step under way,
// a bank or order file read. Lines that would show a server's folders or say nothing
// to staff are left out (ok false); the summary of the night follows at its end.
func progressLine(l string) (string, bool) {
	if m := progressStep.FindStringSubmatch(l); m != nil {
		d, err := calendar.ParseDate(m[1])
		if err != nil {
			return "", false
		}
		return d.Japanese() + ": " + wording.Steps.Name(m[2]) + " …", true
	}
	if m := progressBank.FindStringSubmatch(l); m != nil {
		return "  銀行ファイル " + m[1] + ": " + wording.BankFileStatuses.Name(m[2]), true
	}
	if m := progressOrd.FindStringSubmatch(l); m != nil {
		return "  注文ファイル " + m[1] + " を受信フォルダから移しました", true
	}
	return "", false
}

// start runs a night of date (a dry run when dry) in the background as the actor and
// returns the run's id. The night goes on when the browser goes away; it stops between
// steps when the server shuts down.
func (t *runTracker) start(as Actor, date calendar.Date, dry bool, now time.Time, log *slog.Logger) int {
	t.mu.Lock()
	t.next++
	wr := &webRun{ID: t.next, Date: date.String(), DryRun: dry, Who: as.Who, Started: now}
	t.runs[wr.ID] = wr
	t.mu.Unlock()
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		sums, err := as.Run(t.ctx, as.Who, date, dry, wr)
		wr.mu.Lock()
		defer wr.mu.Unlock()
		wr.Summaries, wr.Done = sums, true
		if err != nil {
			wr.Error = err.Error()
			wr.LockHeld = errors.Is(err, store.ErrLockHeld)
		}
		log.Info("web: run ended", "run_date", wr.Date, "dry_run", wr.DryRun, "who", wr.Who, "error", wr.Error)
	}()
	return wr.ID
}

func (t *runTracker) get(id int) *webRun {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.runs[id]
}

// runStatusJSON is what the progress page polls.
type runStatusJSON struct {
	ID        int              `json:"id"`
	Date      string           `json:"date"`
	Day       calendar.Date    `json:"-"`
	DryRun    bool             `json:"dry_run"`
	Who       string           `json:"who"`
	Done      bool             `json:"done"`
	LockHeld  bool             `json:"lock_held"`
	Error     string           `json:"error,omitempty"`
	Message   string           `json:"message"`
	Lines     []string         `json:"lines"`
	Summaries []report.Summary `json:"summaries"`
}

func (wr *webRun) status() runStatusJSON {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	day, _ := calendar.ParseDate(wr.Date)
	st := runStatusJSON{ID: wr.ID, Date: wr.Date, Day: day, DryRun: wr.DryRun, Who: wr.Who, Done: wr.Done, LockHeld: wr.LockHeld,
		Error: wr.Error, Lines: append([]string{}, wr.Lines...), Summaries: wr.Summaries}
	switch {
	case !wr.Done:
		st.Message = "実行中…"
	case wr.LockHeld:
		st.Message = "別の処理（夜間処理または再実行）が実行中のため開始できませんでした。終わってからもう一度実行してください。"
	case wr.Error != "":
		st.Message = "失敗しました。夜間処理の一覧にエラーの詳細があります。技術担当者に連絡してください。"
	case wr.DryRun:
		st.Message = "試算が終わりました。データベースには何も書き込んでいません。"
	default:
		st.Message = "終わりました。"
	}
	for _, sum := range wr.Summaries {
		st.Lines = append(st.Lines, summaryLines(sum)...)
	}
	if st.Lines == nil {
		st.Lines = []string{}
	}
	return st
}

func (s *Server) lookupRun(w http.ResponseWriter, r *http.Request) *webRun {
	id, err := strconv.Atoi(r.PathValue("id"))
	wr := s.runs.get(id)
	if err != nil || wr == nil {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("実行 %s はありません（サーバーの再起動で一覧は消えます。結果は夜間処理の一覧にあります）", r.PathValue("id")))
		return nil
	}
	return wr
}

func (s *Server) runPage(w http.ResponseWriter, r *http.Request) {
	if wr := s.lookupRun(w, r); wr != nil {
		s.page(w, r, http.StatusOK, "run", "再実行の進行状況", wr.status())
	}
}

func (s *Server) runStatus(w http.ResponseWriter, r *http.Request) {
	if wr := s.lookupRun(w, r); wr != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(wr.status())
	}
}

func (s *Server) runNewPage(w http.ResponseWriter, r *http.Request) {
	date := r.URL.Query().Get("date")
	if date == "" {
		date = s.today().String()
	}
	s.page(w, r, http.StatusOK, "runnew", "再実行・試算", map[string]any{"Date": date})
}

// summaryLines are the outcome of a night as the progress page ends with it: its status
// and what each step changed, in the catalogue's words.
func summaryLines(sum report.Summary) []string {
	day, _ := calendar.ParseDate(sum.RunDate)
	out := []string{fmt.Sprintf("%s: %s（%.1f 秒）", day.Japanese(), wording.RunStatuses.Name(sum.Status), sum.Duration)}
	for _, st := range sum.Steps {
		var parts []string
		for _, k := range sortedKeys(slices.Collect(maps.Keys(st.Changes))) {
			parts = append(parts, fmt.Sprintf("%s %s", wording.ChangeName(k), wording.Number(int64(st.Changes[k]))))
		}
		if len(parts) == 0 {
			parts = []string{"変更なし"}
		}
		out = append(out, "  "+wording.Steps.Name(st.Name)+": "+strings.Join(parts, "、"))
	}
	if sum.OpenExceptions > 0 {
		out = append(out, fmt.Sprintf("  未対応の例外 %d 件", sum.OpenExceptions))
	}
	return out
}
