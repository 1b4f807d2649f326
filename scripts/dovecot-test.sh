#!/usr/bin/env bash
# dovecot-test.sh — a throwaway Dovecot IMAP server on 127.0.0.1 for the mail intake's
# end-to-end tests and benchmark (issue 7 point 7). It installs nothing: it needs
# Debian's dovecot-imapd (/usr/sbin/dovecot) and openssl.
#
#   eval "$(scripts/dovecot-test.sh start)"   # starts it, prints the NIGHTLY_TEST_IMAP_* exports
#   go test ./jobs/ -run Dovecot
#   scripts/dovecot-test.sh stop "$NIGHTLY_TEST_DOVECOT_DIR"
#
# Everything lives in one temporary folder: the configuration, a self-signed
# certificate for 127.0.0.1 (its own CA file), a passwd-file with one test user, the
# maildir and the log. TLS on a free port (implicit TLS, as on 993).
set -euo pipefail

DOVECOT=${DOVECOT:-/usr/sbin/dovecot}

start() {
	command -v "$DOVECOT" >/dev/null || { echo "dovecot-test: $DOVECOT not found (apt-get install dovecot-imapd)" >&2; exit 1; }
	command -v openssl >/dev/null || { echo "dovecot-test: openssl not found" >&2; exit 1; }
	local dir port user pass me uid gid
	dir=$(mktemp -d "${TMPDIR:-/tmp}/nightly-dovecot.XXXXXX")
	chmod 755 "$dir"
	mkdir -p "$dir/run" "$dir/state" "$dir/home"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
		-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
	chmod 600 "$dir/key.pem"
	# A free port: the first of a random range nobody answers on.
	port=""
	local base=$((20000 + RANDOM % 20000))
	for p in $(seq "$base" $((base + 200))); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
	done
	[ -n "$port" ] || { echo "dovecot-test: no free port" >&2; exit 1; }
	user=esales@nightly.test
	pass=$(openssl rand -hex 12)
	me=$(id -un)
	if [ "$(id -u)" = 0 ]; then
		# As root: the mail belongs to nobody, the login processes run as Debian's users.
		uid=$(id -u nobody); gid=$(id -g nobody)
		chown "$uid:$gid" "$dir/home"
		internal="default_internal_user = dovecot
default_login_user = dovenull"
	else
		uid=$(id -u); gid=$(id -g)
		internal="default_internal_user = $me
default_login_user = $me"
	fi
	printf '%s:{PLAIN}%s:%s:%s::%s/home/%s\n' "$user" "$pass" "$uid" "$gid" "$dir" "$user" > "$dir/passwd"
	cat > "$dir/dovecot.conf" <<CONF
# Written by scripts/dovecot-test.sh; throwaway.
base_dir = $dir/run
state_dir = $dir/state
instance_name = nightly-test-$port
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
$internal
first_valid_uid = 1
ssl = required
ssl_cert = <$dir/cert.pem
ssl_key = <$dir/key.pem
auth_mechanisms = plain login
disable_plaintext_auth = yes
mail_location = maildir:~/Maildir
mail_fsync = always
namespace inbox {
  inbox = yes
  separator = /
}
protocol imap {
  mail_max_userip_connections = 50
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN $dir/passwd
}
userdb {
  driver = passwd-file
  args = $dir/passwd
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $port
    ssl = yes
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
CONF
	"$DOVECOT" -c "$dir/dovecot.conf" || { echo "dovecot-test: dovecot did not start; see $dir/dovecot.log" >&2; cat "$dir/dovecot.log" >&2 || true; exit 1; }
	for _ in $(seq 50); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
		sleep 0.1
	done
	cat <<ENV
export NIGHTLY_TEST_IMAP_ADDR=127.0.0.1:$port
export NIGHTLY_TEST_IMAP_USER=$user
export NIGHTLY_TEST_IMAP_PASSWORD=$pass
export NIGHTLY_TEST_IMAP_CA=$dir/cert.pem
export NIGHTLY_TEST_DOVECOT_DIR=$dir
ENV
}

stop() {
	local dir=${1:?usage: dovecot-test.sh stop DIR}
	[ -f "$dir/dovecot.conf" ] || { echo "dovecot-test: $dir is not a dovecot-test folder" >&2; exit 1; }
	doveadm -c "$dir/dovecot.conf" stop 2>/dev/null || { [ -f "$dir/run/master.pid" ] && kill "$(cat "$dir/run/master.pid")"; } || true
	rm -rf "$dir"
}

case "${1:-}" in
start) start ;;
stop) shift; stop "$@" ;;
*) echo "usage: dovecot-test.sh start | stop DIR" >&2; exit 2 ;;
esac
