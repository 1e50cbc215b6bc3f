# The server checks of scripts/test (sourced by scripts/lib/stage.sh): against a real `livechat`
# server on SQLite, on PostgreSQL and on two PostgreSQL nodes, the seed conformance suite
# (../shared/conformance, counted from pytest's JUnit file) and a benchmark smoke run; on the
# SQLite node the socket fuzzer and schemathesis too. Each command has a time bound of its own.

server_pids=()
secret=""

# start_node LABEL [VAR=value ...]: `livechat serve` on a free port with the extra environment
# given and $secret; sets started_pid and started_port once /health answers (at most 60 s). The
# per-address limits are off on these nodes (the Swift suite tests them): the benchmark opens its
# sessions and sockets from 127.0.0.1 right after the conformance suite.
start_node() {
  local label="$1"
  shift
  started_port=$(free_port)
  env "$@" LIVECHAT_JWT_SECRET="$secret" LIVECHAT_DEMO=0 \
    LIVECHAT_START_SESSIONS_PER_MINUTE=0 LIVECHAT_SOCKETS_PER_ADDRESS=0 LIVECHAT_SOCKETS_PER_SESSION=0 \
    "$bin/livechat" serve --hostname 127.0.0.1 --port "$started_port" < /dev/null > "$results_dir/server-$label.log" 2>&1 &
  started_pid=$!
  server_pids+=("$started_pid")
  step "livechat serve ($label) to answer /health on port $started_port" "$results_dir/server-$label.log"
  if ! wait_for_health "http://127.0.0.1:$started_port/health" 60 "livechat serve ($label, port $started_port)" "$started_pid"; then
    excerpt "$results_dir/server-$label.log" 20
    fail "start $label" "livechat serve did not answer /health"
    record "start $label" 0 1 0 0
    return 1
  fi
}

stop_nodes() {
  local pid
  for pid in "${server_pids[@]}"; do stop_pid "$pid" "livechat serve (pid $pid)"; done
  server_pids=()
}

new_secret() {
  secret="conformance-$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
}

# run_conformance PORT LABEL: the seed conformance suite against the node on PORT.
run_conformance() {
  local port="$1" label="$2" status
  local xml="$results_dir/conformance-$label.xml" log="$results_dir/conformance-$label.log"
  echo "== seed conformance suite on $label"
  step "the seed conformance suite (run.sh) against $label" "$log"
  bounded 600 "the seed conformance suite against $label" env LIVECHAT_JWT_SECRET="$secret" \
    "$conformance/run.sh" "http://127.0.0.1:$port" -q --junitxml "$xml" > "$log" 2>&1
  status=$?
  tail -n 3 "$log"
  junit "conformance ($label)" "$status" "$log" "$xml"
  if [ "$status" -ne 0 ]; then echo "-- server log ($label)"; excerpt "$results_dir/server-$label.log" 40; fi
}

# run_bench_smoke VISITORS_PORT AGENTS_PORT PID LABEL [SEED_FILE]: visitors on one node, agents on
# another (or the same), every message checked at both ends and in history, the load again beside
# 20 flooding sockets that never read, then a reconnect storm; with a seed file (from `livechat
# seed`), first the inbox and history reads on that business.
run_bench_smoke() {
  local visitors="$1" agents="$2" pid="$3" label="$4" seeded=() started=$SECONDS status
  if [ -n "${5:-}" ]; then seeded=(--seeded "$5"); fi
  echo "== benchmark smoke run on $label (a few seconds; no timing is asserted)"
  step "LiveChatBench smoke run on $label"
  bounded 180 "the benchmark smoke run on $label" "$bin/LiveChatBench" --url "http://127.0.0.1:$visitors" \
    --agent-url "http://127.0.0.1:$agents" --secret "$secret" --server-pid "$pid" --sessions 20 --rate 200 --duration 1 \
    --reconnect --flood 20 --flood-rate 20 ${seeded[@]+"${seeded[@]}"} --json "$results_dir/bench-${label// /-}.json"
  status=$?
  by_status "benchmark smoke ($label)" "$status" $((SECONDS - started))
}

# run_fuzzers PORT PID LABEL: the socket fuzzer (random JSON, random bytes, fragment patterns,
# control frames, while a witness pair checks its chat is intact) and schemathesis over
# /openapi.json (no 5xx, every answer as documented), from the fuzz virtualenv.
run_fuzzers() {
  local port="$1" pid="$2" label="$3" started=$SECONDS status
  echo "== socket fuzz on $label"
  step "Tests/fuzz/socket_fuzz.py against $label" "$results_dir/socket-fuzz.log"
  bounded 240 "the socket fuzzer against $label" python3 "$root/Tests/fuzz/socket_fuzz.py" --url "http://127.0.0.1:$port" \
    --secret "$secret" --pid "$pid" > "$results_dir/socket-fuzz.log" 2>&1
  status=$?
  tail -n 15 "$results_dir/socket-fuzz.log"
  by_status "socket fuzz ($label)" "$status" $((SECONDS - started)) \
    "exited with status $status: $(grep -E -m 3 '^(FAIL|  - )' "$results_dir/socket-fuzz.log" | paste -sd ' ' | cut -c1-300)"
  echo "== schemathesis on $label"
  started=$SECONDS
  if [ ! -x "$fuzz_venv/bin/st" ]; then
    fail "schemathesis ($label)" "no schemathesis in $fuzz_venv (made by the venvs step)"; record "schemathesis ($label)" 0 1 0 0
  else
    step "Tests/fuzz/http_fuzz.py (schemathesis) against $label" "$results_dir/http-fuzz.log"
    bounded 600 "schemathesis (http_fuzz.py) against $label" "$fuzz_venv/bin/python" "$root/Tests/fuzz/http_fuzz.py" \
      --url "http://127.0.0.1:$port" --secret "$secret" --st "$fuzz_venv/bin/st" > "$results_dir/http-fuzz.log" 2>&1
    status=$?
    if [ "$status" -ne 0 ]; then grep -E -A 12 "^(_+ |[0-9]+\. )" "$results_dir/http-fuzz.log" | head -n 80; fi
    tail -n 12 "$results_dir/http-fuzz.log"
    by_status "schemathesis ($label)" "$status" $((SECONDS - started)) \
      "exited with status $status: $(grep -E -m 2 '^(_+ |[0-9]+\. )' "$results_dir/http-fuzz.log" | paste -sd ' ' | cut -c1-300)"
  fi
  if ! kill -0 "$pid" 2> /dev/null; then
    excerpt "$results_dir/server-$label.log" 40
    fail "server alive after fuzzing ($label)" "the server died during the fuzzing"
    record "server alive after fuzzing ($label)" 0 1 0 0
  fi
}

# conformance_against LABEL [VAR=value ...]: one node with the extra environment given: a small
# year of chats seeded through the store (`livechat seed`), the conformance suite and a benchmark
# smoke run that also reads the seeded inbox and history (and the fuzzers on SQLite).
conformance_against() {
  local label="$1" seed_file="$results_dir/seed-$1.json" status
  shift
  new_secret
  step "livechat seed on $label" "$results_dir/seed-$label.log"
  bounded 300 "livechat seed on $label" env "$@" LIVECHAT_JWT_SECRET="$secret" LIVECHAT_DEMO=0 LOG_LEVEL=warning \
    "$bin/livechat" seed --messages 3000 --sessions 300 --long 1000 --json "$seed_file" > "$results_dir/seed-$label.log" 2>&1
  status=$?
  if [ "$status" -ne 0 ]; then
    excerpt "$results_dir/seed-$label.log"
    fail "livechat seed ($label)" "exited with status $status"; record "livechat seed ($label)" 0 1 0 0
    seed_file=""
  fi
  if start_node "$label" "$@"; then
    local pid=$started_pid port=$started_port
    run_conformance "$port" "$label"
    run_bench_smoke "$port" "$port" "$pid" "$label" "$seed_file"
    if [ "$label" = sqlite ]; then run_fuzzers "$port" "$pid" "$label"; fi
  fi
  stop_nodes
}

# two_nodes_against URL: two nodes on one PostgreSQL database, the conformance suite against each
# while the other runs, and a benchmark smoke run with the visitors on node A and the agents on B.
two_nodes_against() {
  local url="$1" pid_a port_a port_b
  new_secret
  if start_node node-a LIVECHAT_DATA_DIR="$work/data-node-a" DATABASE_URL="$url"; then
    pid_a=$started_pid; port_a=$started_port
    if start_node node-b LIVECHAT_DATA_DIR="$work/data-node-b" DATABASE_URL="$url"; then
      port_b=$started_port
      run_conformance "$port_a" node-a
      run_conformance "$port_b" node-b
      run_bench_smoke "$port_a" "$port_b" "$pid_a" "two nodes"
    fi
  fi
  stop_nodes
}

stage_conformance() {
  need_binary "$bin/livechat" && need_binary "$bin/LiveChatBench" || return
  if [ ! -x "$conformance/run.sh" ]; then
    unavailable "conformance" "the suite is not found at $conformance (set LIVECHAT_CONFORMANCE)"
    return
  fi
  if [ ! -x "$CONFORMANCE_VENV/bin/python" ]; then
    fail "conformance" "no virtualenv at $CONFORMANCE_VENV (made by the venvs step)"; record "conformance" 0 1 0 0; return
  fi
  trap stop_nodes EXIT
  echo "== conformance on SQLite"
  conformance_against sqlite LIVECHAT_DATA_DIR="$work/data-sqlite"
  echo "== conformance on PostgreSQL"
  case "${pg_state:-missing}" in
    up)
      conformance_against postgres LIVECHAT_DATA_DIR="$work/data-pg" DATABASE_URL="$database_url"
      echo "== conformance on two nodes sharing one PostgreSQL database"
      if bounded 60 "createdb livechat_nodes" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U livechat livechat_nodes; then
        two_nodes_against "${database_url%/*}/livechat_nodes"
      else
        fail "two nodes" "createdb livechat_nodes failed"; record "two nodes" 0 1 0 0
      fi ;;
    failed)
      fail "conformance (PostgreSQL, two nodes)" "PostgreSQL did not start (see above)"
      record "conformance (PostgreSQL, two nodes)" 0 2 0 0 ;;
    *)
      unavailable "conformance (PostgreSQL)" "PostgreSQL is not installed (apt-get install postgresql)"
      unavailable "conformance (two nodes)" "PostgreSQL is not installed (apt-get install postgresql)" ;;
  esac
}
