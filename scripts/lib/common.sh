# Helpers shared by scripts/test and its stages (sourced, never run). Every result goes to the
# run's results file, one line per check: stage, check, passed, failed, skipped, seconds; every
# failure's name and message to its failures file, for the recap at the end.
#   $results_dir   where the logs, JUnit files, results.tsv and failures.txt of this run go
#   $state_dir     the run's own bookkeeping (each stage's session id and current step)
#   $STAGE         the stage being run (set by scripts/lib/stage.sh)

root="${root:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
lib="$root/scripts/lib"
bin="${LIVECHAT_BIN_DIR:-$root/.build/debug}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}"
conformance="${LIVECHAT_CONFORMANCE:-$root/../shared/conformance}"
check_layers="${LIVECHAT_CHECK_LAYERS:-$root/../shared/tools/check-layers}"
fuzz_venv="${FUZZ_VENV:-$cache/livechat-fuzz-venv}"
browser_venv="${BROWSER_VENV:-$cache/livechat-browser-venv}"
export CONFORMANCE_VENV="${CONFORMANCE_VENV:-$cache/livechat-conformance-venv}"

# The console (the terminal or the CI log) on a descriptor of its own, opened once by scripts/test
# and inherited by its stages, so that a message reaches it where a command's output goes to a log.
if [ -z "${console_fd:-}" ]; then exec {console_fd}>&1; export console_fd; fi

# loud LINE...: a message that must not be missed, on the console.
loud() {
  local line
  for line in "$@"; do echo "!!!!!!!! $line" >&"$console_fd"; done
}

# record CHECK PASSED FAILED SKIPPED SECONDS
record() {
  printf '%s\t%s\t%d\t%d\t%d\t%d\n' "${STAGE:-setup}" "$1" "$2" "$3" "$4" "$5" >> "$results_dir/results.tsv"
}

# fail CHECK MESSAGE: one failed check, printed now and in the recap.
fail() {
  local check="$1" message="$2"
  echo "FAILED: $check: $message"
  printf '%s: %s: %s\n' "${STAGE:-setup}" "$check" "$message" >> "$results_dir/failures.txt"
}

# A check that is skipped (not in CI) or failed (in CI) for the reason given.
unavailable() {
  local check="$1" reason="$2"
  if [ -n "${CI:-}" ]; then
    fail "$check" "$reason (CI skips nothing)"
    record "$check" 0 1 0 0
  else
    echo "SKIPPED: $check: $reason"
    record "$check" 0 0 1 0
  fi
}

# step WHAT [LOG]: what the stage is waiting for now; printed by scripts/test if the stage's time
# bound is hit (with the tests left unfinished in LOG, or its last lines).
step() {
  printf '%s\n%s\n' "$1" "${2:-}" > "$state_dir/step-${STAGE:-setup}"
}

# bounded SECONDS WHAT COMMAND...: runs COMMAND in a process group of its own (GNU timeout); when
# it outlives SECONDS, the group gets SIGTERM, then SIGKILL 15 s later, and this says so loudly.
# Returns the command's status (124 or 137 after a time-out).
bounded() {
  local limit="$1" what="$2" started=$SECONDS status
  shift 2
  timeout -k 15 "$limit" "$@" < /dev/null {console_fd}>&-
  status=$?
  if { [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; } && [ $((SECONDS - started)) -ge "$limit" ]; then
    loud "TIMED OUT after $limit s while waiting for: $what" "(command: $*)"
  fi
  return "$status"
}

# by_status CHECK STATUS SECONDS [MESSAGE]: a check that counts by its exit status.
by_status() {
  local check="$1" status="$2" seconds="$3" message="${4:-exited with status $2}"
  if [ "$status" -eq 0 ]; then
    echo "$check: passed in $seconds s"
    record "$check" 1 0 0 "$seconds"
  else
    fail "$check" "$message"
    record "$check" 0 1 0 "$seconds"
  fi
}

# junit CHECK STATUS LOG XML...: counts a run from its JUnit files (scripts/lib/junit.py).
junit() {
  local check="$1" status="$2" log="$3"
  shift 3
  if ! python3 "$lib/junit.py" --stage "${STAGE:-setup}" --check "$check" --status "$status" --log "$log" \
      --results "$results_dir/results.tsv" --failures "$results_dir/failures.txt" "$@"; then
    fail "$check" "scripts/lib/junit.py could not count the results (exit status of the run: $status)"
    record "$check" 0 1 0 0
  fi
}

# excerpt LOG: a failed command's log in short: its fatal errors, then its last lines.
excerpt() {
  grep -m 5 -E "Fatal error|Program crashed|error:|Error:" "$1" 2> /dev/null | sed 's/^/  | /'
  tail -n "${2:-12}" "$1" 2> /dev/null | sed 's/^/  | /'
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for_health URL SECONDS WHAT [PID]: polls URL until it answers 2xx, for at most SECONDS;
# stops early when process PID has exited. Says what it waited for when it gives up.
wait_for_health() {
  local url="$1" limit="$2" what="$3" pid="${4:-}" deadline=$((SECONDS + $2))
  while [ "$SECONDS" -lt "$deadline" ]; do
    curl -fs --max-time 2 "$url" > /dev/null 2>&1 && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2> /dev/null; then
      loud "$what exited before $url answered"
      return 1
    fi
    sleep 0.2
  done
  loud "TIMED OUT after $limit s while waiting for: $what to answer $url"
  return 1
}

# stop_pid PID WHAT: SIGTERM, up to 20 s for it to exit, then SIGKILL.
stop_pid() {
  local pid="$1" what="$2" deadline=$((SECONDS + 20))
  kill "$pid" 2> /dev/null || return 0
  while kill -0 "$pid" 2> /dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      loud "$what did not exit within 20 s of SIGTERM: killed"
      kill -9 "$pid" 2> /dev/null
      break
    fi
    sleep 0.2
  done
  wait "$pid" 2> /dev/null
  return 0
}

# need_binary FILE: says clearly when the build a stage runs is missing.
need_binary() {
  if [ ! -x "$1" ]; then
    fail "build" "$1 is missing: build first (scripts/test build, or scripts/test with no stage)"
    record "build" 0 1 0 0
    return 1
  fi
  local newer
  newer="$(find "$root/Sources" "$root/Tests/LiveChatTests" "$root/Package.swift" -newer "$1" -type f 2> /dev/null | head -n 1)"
  if [ -n "$newer" ]; then echo "note: ${1#"$root"/} is older than ${newer#"$root"/}: this stage runs the build as it is"; fi
}
