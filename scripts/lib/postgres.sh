# A throwaway PostgreSQL cluster for the run (sourced by scripts/test): trust auth, no fsync, on a
# free port, room for the connections of every test server the Swift suite runs at once. As root,
# the cluster runs as the postgres user. Sets pg_state: "up" (database_url set), "missing" (not
# installed) or "failed" (installed but did not start).

pg_state=missing
pg_dir=""
pg_port=""
pg_ctl_as=()
database_url=""
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)"

start_postgres() {
  [ "$pg_state" = missing ] || return 0
  [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || return 0
  echo "== PostgreSQL (a throwaway cluster)"
  pg_port=$(free_port)
  pg_dir="$(mktemp -d)"
  local as=()
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$pg_dir"; as=(runuser -u postgres --); fi
  pg_ctl_as=("${as[@]}" "$pg_bin/pg_ctl")
  if bounded 120 "initdb of the throwaway cluster" "${as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U livechat \
        > "$pg_dir/initdb.log" 2>&1 \
      && bounded 90 "pg_ctl start (the cluster accepting connections)" "${pg_ctl_as[@]}" -D "$pg_dir/data" -w -t 60 \
        -l "$pg_dir/server.log" -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=1000" \
        start > /dev/null \
      && bounded 60 "createdb livechat" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U livechat livechat; then
    pg_state=up
    database_url="postgres://livechat@127.0.0.1:$pg_port/livechat"
    echo "PostgreSQL up on port $pg_port"
  else
    pg_state=failed
    fail "PostgreSQL" "the throwaway cluster did not start"
    record "PostgreSQL" 0 1 0 0
    tail -n 20 "$pg_dir/initdb.log" "$pg_dir/server.log" 2> /dev/null
  fi
}

stop_postgres() {
  if [ -n "$pg_dir" ] && [ -d "$pg_dir/data" ]; then
    timeout 60 "${pg_ctl_as[@]}" -D "$pg_dir/data" -m immediate stop > /dev/null 2>&1
  fi
  [ -n "$pg_dir" ] && rm -rf "$pg_dir"
  pg_dir=""
}
