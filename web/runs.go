package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/report"
	"github.com/npress/nightly/store"
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

// Write receives the progress lines of the night.
func (wr *webRun) Write(p []byte) (int, error) {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	for _, l := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		wr.Lines = append(wr.Lines, l)
	}
	return len(p), nil
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
	st := runStatusJSON{ID: wr.ID, Date: wr.Date, DryRun: wr.DryRun, Who: wr.Who, Done: wr.Done, LockHeld: wr.LockHeld,
		Error: wr.Error, Lines: append([]string{}, wr.Lines...), Summaries: wr.Summaries}
	switch {
	case !wr.Done:
		st.Message = "実行中…"
	case wr.LockHeld:
		st.Message = "別の処理（夜間処理または再実行）が実行中のため開始できませんでした。終わってからもう一度実行してください。"
	case wr.Error != "":
		st.Message = "失敗しました: " + wr.Error
	case wr.DryRun:
		st.Message = "試算（DRY RUN）が終わりました。データベースには何も書き込んでいません。"
	default:
		st.Message = "終わりました。"
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
