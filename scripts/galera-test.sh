#!/usr/bin/env bash
# galera-test.sh — a throwaway three-node MariaDB Galera cluster on 127.0.0.1 for the
# cluster tests of issue 18. It downloads nothing: it needs Debian's mariadb-server and
# galera-4 (/usr/lib/galera/libgalera_smm.so) and rsync (state transfer); as root it
# installs the last two with apt-get when they are missing.
#
#   eval "$(scripts/galera-test.sh start)"   # prints the NIGHTLY_TEST_GALERA_* exports
#   go test ./cmd/nightly -run Cluster
#   scripts/galera-test.sh stop "$NIGHTLY_TEST_GALERA_DIR"
#   scripts/galera-test.sh kill-node DIR N    # kill -9 node N (tests)
#   scripts/galera-test.sh start-node DIR N   # start node N again; it rejoins the cluster
#
# Everything lives in one temporary folder (option files, data folders, sockets, logs),
# on free ports between 33000 and 34999: node N listens for clients on BASE+N, for the
# group on BASE+10+N, for incremental transfers on BASE+20+N and for state transfers
# on BASE+30+N. The system option files are never read (--defaults-file), and the
# MariaDB on 3306 and its data folder are never touched. root may connect over TCP
# from 127.0.0.1 without a password. Tables without a primary key are refused
# (wsrep_mode=REQUIRED_PRIMARY_KEY), as nightly promises.
set -euo pipefail

PROVIDER=/usr/lib/galera/libgalera_smm.so
MARIADBD=${MARIADBD:-/usr/sbin/mariadbd}

free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

sql() { # sql DIR N STATEMENT — as root over the node's socket
	mariadb --no-defaults -uroot --socket="$1/n$2/mysqld.sock" -N -B -e "$3"
}

# wait_synced DIR N SIZE — until node N is Synced in a cluster of SIZE nodes (90 s).
wait_synced() {
	local dir=$1 n=$2 size=$3
	for _ in $(seq 1 180); do
		if ! kill -0 "$(cat "$dir/n$n/mysqld.pid" 2>/dev/null || echo 0)" 2>/dev/null && [ -f "$dir/n$n/mysqld.pid" ]; then
			break
		fi
		local st cs
		st=$(sql "$dir" "$n" "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2 || true)
		cs=$(sql "$dir" "$n" "SHOW STATUS LIKE 'wsrep_cluster_size'" 2>/dev/null | cut -f2 || true)
		if [ "$st" = Synced ] && [ "${cs:-0}" -ge "$size" ]; then return 0; fi
		sleep 0.5
	done
	echo "galera-test: node $n is not Synced in a cluster of $size; its log:" >&2
	tail -n 30 "$dir/n$n/error.log" >&2 || true
	return 1
}

# start_node DIR N [--wsrep-new-cluster] — in the background, detached from the caller.
start_node() {
	local dir=$1 n=$2
	shift 2
	setsid "$MARIADBD" --defaults-file="$dir/n$n.cnf" "$@" </dev/null >>"$dir/n$n/stdout.log" 2>&1 &
	for _ in $(seq 1 100); do [ -f "$dir/n$n/mysqld.pid" ] && return 0; sleep 0.1; done
	echo "galera-test: node $n did not start; its log:" >&2
	tail -n 30 "$dir/n$n/error.log" >&2 || true
	return 1
}

write_cnf() {
	local dir=$1 n=$2 base=$3
	cat >"$dir/n$n.cnf" <<CNF
# Written by scripts/galera-test.sh; throwaway.
[mariadbd]
user = mysql
datadir = $dir/n$n/data
socket = $dir/n$n/mysqld.sock
pid-file = $dir/n$n/mysqld.pid
log-error = $dir/n$n/error.log
port = $((base + n))
bind-address = 127.0.0.1
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_bin
innodb_buffer_pool_size = 128M
innodb_log_file_size = 64M
innodb_flush_log_at_trx_commit = 2
binlog_format = ROW
default_storage_engine = InnoDB
innodb_autoinc_lock_mode = 2
wsrep_on = ON
wsrep_provider = $PROVIDER
wsrep_cluster_name = nightly-test-$base
wsrep_cluster_address = gcomm://127.0.0.1:$((base + 11)),127.0.0.1:$((base + 12)),127.0.0.1:$((base + 13))
wsrep_node_name = n$n
wsrep_node_address = 127.0.0.1:$((base + 10 + n))
wsrep_provider_options = "gmcast.listen_addr=tcp://127.0.0.1:$((base + 10 + n));ist.recv_addr=127.0.0.1:$((base + 20 + n));gcache.size=256M"
wsrep_sst_method = rsync
wsrep_sst_receive_address = 127.0.0.1:$((base + 30 + n))
wsrep_mode = REQUIRED_PRIMARY_KEY
wsrep_slave_threads = 2
CNF
}

start() {
	[ -x "$MARIADBD" ] || { echo "galera-test: $MARIADBD not found (apt-get install mariadb-server)" >&2; exit 1; }
	if [ ! -f "$PROVIDER" ] || ! command -v rsync >/dev/null; then
		if [ "$(id -u)" = 0 ]; then
			apt-get update -qq >/dev/null
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq galera-4 rsync >/dev/null
		fi
		[ -f "$PROVIDER" ] && command -v rsync >/dev/null || { echo "galera-test: needs galera-4 ($PROVIDER) and rsync: apt-get install galera-4 rsync" >&2; exit 1; }
	fi
	local base="" dir
	for _ in $(seq 1 40); do
		local b=$((33000 + (RANDOM % 20) * 100)) ok=1
		for off in 1 2 3 11 12 13 21 22 23 31 32 33; do free $((b + off)) || { ok=0; break; }; done
		if [ "$ok" = 1 ]; then base=$b; break; fi
	done
	[ -n "$base" ] || { echo "galera-test: no free ports between 33000 and 34999" >&2; exit 1; }
	dir=$(mktemp -d "${TMPDIR:-/tmp}/nightly-galera.XXXXXX")
	chmod 755 "$dir"
	# Whatever fails from here on, the nodes started so far are stopped and the folder
	# removed: a failed start leaves nothing running.
	trap 'stop "$dir" >/dev/null 2>&1 || true' EXIT
	echo "$base" >"$dir/base"
	for n in 1 2 3; do
		mkdir -p "$dir/n$n/data"
		write_cnf "$dir" "$n" "$base"
	done
	chown -R mysql:mysql "$dir" 2>/dev/null || true
	mariadb-install-db --defaults-file="$dir/n1.cnf" --user=mysql --skip-test-db >"$dir/install.log" 2>&1 \
		|| { echo "galera-test: mariadb-install-db failed:" >&2; cat "$dir/install.log" >&2; exit 1; }
	start_node "$dir" 1 --wsrep-new-cluster
	wait_synced "$dir" 1 1
	sql "$dir" 1 "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION"
	for n in 2 3; do
		start_node "$dir" "$n"
		wait_synced "$dir" "$n" "$n"
	done
	trap - EXIT
	local dsns=""
	for n in 1 2 3; do dsns="$dsns${dsns:+,}mysql://root@tcp(127.0.0.1:$((base + n)))/nightly_cluster"; done
	cat <<ENV
export NIGHTLY_TEST_GALERA_DIR=$dir
export NIGHTLY_TEST_GALERA_DSNS='$dsns'
ENV
}

# stop DIR — stops every node (TERM, then KILL after 20 s) and removes the folder.
stop() {
	local dir=${1:?usage: galera-test.sh stop DIR}
	[ -f "$dir/n1.cnf" ] || { echo "galera-test: $dir is not a galera-test folder" >&2; exit 1; }
	local pids="" p
	for n in 1 2 3; do
		p=$(cat "$dir/n$n/mysqld.pid" 2>/dev/null || true)
		if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then kill "$p" 2>/dev/null || true; pids="$pids $p"; fi
	done
	for _ in $(seq 1 40); do
		local alive=""
		for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
		[ -z "$alive" ] && break
		sleep 0.5
	done
	for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
	rm -rf "$dir"
}

kill_node() {
	local dir=${1:?usage: galera-test.sh kill-node DIR N} n=${2:?node number}
	kill -9 "$(cat "$dir/n$n/mysqld.pid")"
	for _ in $(seq 1 50); do kill -0 "$(cat "$dir/n$n/mysqld.pid")" 2>/dev/null || break; sleep 0.1; done
	rm -f "$dir/n$n/mysqld.pid"
}

restart_node() {
	local dir=${1:?usage: galera-test.sh start-node DIR N} n=${2:?node number}
	start_node "$dir" "$n"
	wait_synced "$dir" "$n" 3
}

case "${1:-}" in
start) start ;;
stop) shift; stop "$@" ;;
kill-node) shift; kill_node "$@" ;;
start-node) shift; restart_node "$@" ;;
*) echo "usage: galera-test.sh start | stop DIR | kill-node DIR N | start-node DIR N" >&2; exit 2 ;;
esac
