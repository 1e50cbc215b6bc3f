# A throwaway PostgreSQL cluster for the run (sourced by scripts/test): trust auth, no fsync, on a
# free port, room for the connections of every test server the Swift suite runs at once. As root,
# the cluster runs as the postgres user. Sets pg_state: "up" (database_url set), "missing" (not
# installed) or "failed" (installed but did not start); with_template adds a migrated template.

pg_state=missing
pg_dir=""
pg_port=""
pg_ctl_as=()
database_url=""
pg_template=""
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

# The database every test database is copied from (CREATE DATABASE x TEMPLATE livechat_template):
# migrated once by `livechat migrate`, then closed to connections, as a template must be while
# it is copied. Sets pg_template.
with_template() {
  [ "$pg_state" = up ] && [ -z "$pg_template" ] || return 0
  local name=livechat_template started=$SECONDS
  echo "== PostgreSQL: the migrated template $name"
  [ -x "$bin/livechat" ] || { echo "no $bin/livechat to migrate the template with"; return 0; }
  if bounded 60 "createdb $name" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U livechat "$name" \
      && bounded 180 "livechat migrate --yes on $name" env DATABASE_URL="${database_url%/*}/$name" LIVECHAT_DEMO=0 \
        LIVECHAT_JWT_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(24))')" LIVECHAT_DATA_DIR="$pg_dir/template-data" LOG_LEVEL=warning \
        "$bin/livechat" migrate --yes > "$results_dir/template-migrate.log" 2>&1 \
      && bounded 60 "ALTER DATABASE $name (a template, closed to connections)" "$pg_bin/psql" -q -X -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$pg_port" -U livechat -d livechat \
        -c "ALTER DATABASE $name WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"; then
    pg_template=$name
    echo "template $name migrated in $((SECONDS - started)) s"
  else
    fail "PostgreSQL template" "$name could not be made (the PostgreSQL suite runs without it)"
    record "PostgreSQL template" 0 1 0 0
    tail -n 20 "$results_dir/template-migrate.log" 2> /dev/null
  fi
}

stop_postgres() {
  if [ -n "$pg_dir" ] && [ -d "$pg_dir/data" ]; then
    timeout 60 "${pg_ctl_as[@]}" -D "$pg_dir/data" -m immediate stop > /dev/null 2>&1
  fi
  [ -n "$pg_dir" ] && rm -rf "$pg_dir"
  pg_dir=""
}
