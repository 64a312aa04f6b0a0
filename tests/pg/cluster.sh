#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for the tests of the postgres store.
#
#   cluster.sh start DIR   initdb in DIR/data, a server listening only on
#                          the Unix socket directory DIR (no TCP), database
#                          "peil"; prints nothing on success
#   cluster.sh replica DIR PRIMARY  a hot standby of the cluster in
#                          PRIMARY (pg_basebackup -R: streaming from it),
#                          started as start starts one, in DIR
#   cluster.sh stop DIR    stop that server (fast) and remove DIR
#   cluster.sh conninfo DIR  the libpq connection string of the cluster
#   cluster.sh ctl DIR ARG...  pg_ctl ARG... on that cluster, as its owner
#                          (a fault test's restart, reload)
#   cluster.sh run DIR CMD ARG...  run CMD with each "{conninfo}" in its
#                          arguments replaced by that string, when the
#                          cluster runs (exit 77 when PostgreSQL is not
#                          installed, 1 when the cluster is not running)
#
# initdb refuses root: as root the server runs as the system user
# "postgres" (created by Debian's postgresql-15), otherwise as the caller.
# Exit 77 (ctest's SKIP_RETURN_CODE) when the PostgreSQL binaries are
# absent, saying so; every other failure exits 1.
set -uo pipefail
cmd=${1:-} dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: cluster.sh start|stop|conninfo DIR" >&2; exit 2; }

bin=${PEIL_PG_BIN:-}
if [ -z "$bin" ]; then
	for b in /usr/lib/postgresql/15/bin $(pg_config --bindir 2>/dev/null); do
		[ -x "$b/initdb" ] && [ -x "$b/pg_ctl" ] && { bin=$b; break; }
	done
fi

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
	owner=postgres
	as_owner=(runuser -u postgres --)
else
	owner=$(id -un)
fi

conninfo="host=$dir port=54321 dbname=peil user=$owner"

# A cluster left by an interrupted ctest in $dir: stopped, and $dir made
# anew for the server's owner.
fresh_dir() {
	[ -f "$dir/data/postmaster.pid" ] &&
		"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$dir"
	mkdir -p "$dir" || exit 1
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
	chmod 700 "$dir"
}
# Start the server of $dir/data.  Only the private socket directory: no
# TCP, nothing another user of the machine could reach.  fsync off: a
# test cluster.
server_start() {
	"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
		-o "-c listen_addresses='' -c unix_socket_directories='$dir' -c port=54321 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		start >/dev/null ||
		{ cat "$dir/server.log" >&2; echo "cluster.sh: the server did not start in $dir" >&2; exit 1; }
}
no_binaries() {
	echo "SKIP: the PostgreSQL server binaries (initdb, pg_ctl) are not installed; apt-get install postgresql-15 (.ci/install-deps does)" >&2
	exit 77
}
case $cmd in
conninfo)
	echo "$conninfo"
	;;
ctl)
	shift 2
	exec "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w "$@"
	;;
run)
	if [ -z "$bin" ]; then
		echo "SKIP: PostgreSQL is not installed (apt-get install postgresql-15)"
		exit 77
	fi
	if [ ! -S "$dir/.s.PGSQL.54321" ]; then
		echo "FAIL: the test cluster is not running in $dir (ctest starts it: fixture pg)"
		exit 1
	fi
	shift 2
	args=()
	for a in "$@"; do args+=("${a//\{conninfo\}/$conninfo}"); done
	exec "${args[@]}"
	;;
start)
	[ -n "$bin" ] || no_binaries
	fresh_dir
	"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -A trust -U "$owner" \
		-E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; echo "cluster.sh: initdb failed in $dir/data" >&2; exit 1; }
	server_start
	"${as_owner[@]}" "$bin/createdb" -h "$dir" -p 54321 -U "$owner" peil ||
		{ echo "cluster.sh: createdb peil failed" >&2; exit 1; }
	;;
replica)
	# initdb's pg_hba.conf lets local connections replicate (trust);
	# wal_level is replica by default.  A fast checkpoint: the default,
	# spread one, keeps pg_basebackup waiting for minutes.
	[ -n "$bin" ] || no_binaries
	primary=${3:?usage: cluster.sh replica DIR PRIMARY_DIR}
	fresh_dir
	"${as_owner[@]}" "$bin/pg_basebackup" -h "$primary" -p 54321 -U "$owner" \
		-D "$dir/data" -R -X stream -c fast >"$dir/basebackup.log" 2>&1 ||
		{ cat "$dir/basebackup.log" >&2; echo "cluster.sh: pg_basebackup from $primary failed" >&2; exit 1; }
	server_start
	;;
stop)
	if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
		"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 ||
			echo "cluster.sh: pg_ctl stop failed in $dir" >&2
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: cluster.sh start|replica|stop|conninfo|ctl|run DIR" >&2; exit 2
	;;
esac
