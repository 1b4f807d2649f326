#!/usr/bin/env bash
# mariadb-restart-test.sh — issue 8's "MariaDB restarts during a night": a night on a
# generated reseller is paused inside its lifecycle step (a test-only fault point), the
# local MariaDB is shut down and started again meanwhile, and then:
#   - the night fails with a clear message (it never goes on without its run lock);
#   - the rerun completes;
#   - a second rerun changes nothing.
# It restarts the MariaDB on 127.0.0.1:3306 (root, no password), so run it only where
# that is allowed (.ci/run, a developer machine).
set -euo pipefail
cd "$(dirname "$0")/.."

ping() { mysqladmin -h127.0.0.1 -uroot ping >/dev/null 2>&1; }
start_db() {
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do ping && return 0; sleep 1; done
  echo "mariadb-restart-test: MariaDB did not come back" >&2; return 1
}

ping || start_db
work=$(mktemp -d)
db="nightly_restart_$$"
mysql -h127.0.0.1 -uroot -e "CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
cleanup() { mysql -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
export NIGHTLY_DB="mysql://root@tcp(127.0.0.1:3306)/$db"
go build -o "$work/nightly" ./cmd/nightly
"$work/nightly" gen --contracts 5000 --date 2026-11-24 --out "$work" >/dev/null
run() { "$work/nightly" run --date 2026-11-24 --out "$work" --inbox "$work/inbox" --json; }

NIGHTLY_FAULTS=lifecycle.after_commit:sleep=8s run >"$work/first.json" 2>"$work/first.err" &
pid=$!
sleep 3
echo "restarting MariaDB while the night is paused in its lifecycle step"
mysqladmin -h127.0.0.1 -uroot shutdown
for _ in $(seq 1 30); do pgrep -x mariadbd >/dev/null || break; sleep 1; done
start_db
set +e
wait "$pid"
rc=$?
set -e
if [ "$rc" -eq 0 ]; then
  echo "mariadb-restart-test: the night went on after the database restarted:" >&2; cat "$work/first.json" >&2; exit 1
fi
echo "the interrupted night exited $rc: $(grep -m1 'nightly:' "$work/first.err")"
grep -q 'run lock was lost\|connection\|invalid connection\|bad connection' "$work/first.err" \
  || { echo "mariadb-restart-test: the failure does not say what happened:" >&2; cat "$work/first.err" >&2; exit 1; }
run >"$work/second.json"
grep -q '"status":"ok"' "$work/second.json" || { echo "rerun did not complete:" >&2; cat "$work/second.json" >&2; exit 1; }
run >"$work/third.json"
if grep -Eq '"changes":\{[^}]*:[1-9]' "$work/third.json"; then
  echo "mariadb-restart-test: the rerun after the recovery changed something:" >&2; cat "$work/third.json" >&2; exit 1
fi
echo "mariadb-restart-test: ok (failed clearly, rerun completed, second rerun changed nothing)"
