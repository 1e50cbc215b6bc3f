#!/usr/bin/env bash
# One stage of scripts/test, run by it in a session of its own (setsid) so that, when the stage's
# time bound is hit, every process the stage started can be found and killed:
#   bash scripts/lib/stage.sh STAGE
# Reads from the environment what scripts/test prepared: results_dir, and for the PostgreSQL
# stages pg_state, database_url. Writes its results to $results_dir/results.tsv.
set -uo pipefail
STAGE="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export PATH="/opt/swift/usr/bin:$PATH"
source "$root/scripts/lib/common.sh"
source "$root/scripts/lib/servers.sh"
source "$root/scripts/lib/venvs.sh"

# The build the other stages run; an import a target does not declare fails it (the layers,
# docs/ARCHITECTURE.md).
stage_build() {
  local log="$results_dir/build.log" started=$SECONDS status
  step "swift build --build-tests --explicit-target-dependency-import-check error" "$log"
  swift build --build-tests --explicit-target-dependency-import-check error < /dev/null 2>&1 | tee "$log" \
    | grep --line-buffered -E "error|warning: .*import|Compiling|Build" | tail -n 5
  status=${PIPESTATUS[0]}
  if [ "$status" -ne 0 ]; then
    grep -E "error:" "$log" | head -n 20
    fail "build" "swift build exited with status $status"
    record "build" 0 1 0 $((SECONDS - started))
  else
    record "build" 0 0 0 $((SECONDS - started))
  fi
}

# The target graph against the layering rules (../shared/tools/check-layers), counted as a test.
stage_layers() {
  local started=$SECONDS status
  if [ ! -x "$check_layers" ]; then
    unavailable "check-layers" "not found at $check_layers (set LIVECHAT_CHECK_LAYERS)"
    return
  fi
  step "$check_layers (swift package describe)"
  bounded 300 "check-layers" "$check_layers"
  status=$?
  by_status "check-layers" "$status" $((SECONDS - started))
}

# swift_suite LABEL [VAR=value ...]: the Swift suite with the extra environment given, counted
# from Swift Testing's JUnit file. Its console shows failures and suites, not every passed test.
swift_suite() {
  local label="$1" status
  shift
  need_binary "$bin/livechatPackageTests.xctest" || return
  local xml="$results_dir/swift-$label.xml" log="$results_dir/swift-$label.log"
  step "swift test --skip-build ($label)" "$log"
  env "$@" swift test --skip-build --xunit-output "$xml" < /dev/null 2>&1 | tee "$log" \
    | grep --line-buffered -Ev '^(◇|↳|✔ Test [^r])'
  status=${PIPESTATUS[0]}
  junit "swift test ($label)" "$status" "$log" "$xml" "${xml%.xml}-swift-testing.xml"
}

stage_swift() {
  swift_suite SQLite
}

# On PostgreSQL: each test server gets a database of its own on the cluster
# (LIVECHAT_TEST_DATABASE_URL), which its server migrates.
stage_pg() {
  case "${pg_state:-missing}" in
    up) swift_suite PostgreSQL LIVECHAT_TEST_DATABASE_URL="$database_url" ;;
    failed) fail "swift test (PostgreSQL)" "PostgreSQL did not start (see above)"; record "swift test (PostgreSQL)" 0 1 0 0 ;;
    *) unavailable "swift test (PostgreSQL)" "PostgreSQL is not installed (apt-get install postgresql)" ;;
  esac
}

# libFuzzer over the parsers that read client input (scripts/fuzz: ChatDomain's sources in one
# binary with AddressSanitizer, LIVECHAT_FUZZ_SECONDS per target, default 8, from the seed corpus
# in Tests/fuzz/corpus; a crash's input is kept in the corpus). One check, by its exit status.
stage_fuzz() {
  local started=$SECONDS status log="$results_dir/libfuzzer.log"
  step "scripts/fuzz ${LIVECHAT_FUZZ_SECONDS:-8} (building the fuzzing binary, then each target)" "$log"
  "$root/scripts/fuzz" "${LIVECHAT_FUZZ_SECONDS:-8}" < /dev/null 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  by_status "libFuzzer (scripts/fuzz)" "$status" $((SECONDS - started)) \
    "$(grep -E '^fuzz .*: FAILED|targets passed' "$log" | paste -sd ';' | cut -c1-300)"
}

# The widget on a page of another origin, the agent console and /docs/ in headless Chromium
# (Tests/browser; conftest.py skips them, or fails them under CI, without chromium), counted from
# pytest's JUnit file; each test is bounded by pytest-timeout.
stage_browser() {
  need_binary "$bin/livechat" || return
  if [ ! -x "$browser_venv/bin/python" ]; then
    fail "browser tests" "no virtualenv at $browser_venv (made by the venvs step)"; record "browser tests" 0 1 0 0; return
  fi
  local xml="$results_dir/browser.xml" log="$results_dir/browser.log" status
  step "pytest Tests/browser (headless Chromium)" "$log"
  (cd "$root/Tests/browser" && LIVECHAT_BIN="$bin/livechat" ARTIFACTS="$root/artifacts" PYTHONDONTWRITEBYTECODE=1 \
    "$browser_venv/bin/python" -m pytest -v --timeout "${LIVECHAT_BROWSER_TEST_SECONDS:-120}" --junitxml "$xml" < /dev/null 2>&1) \
    | tee "$log" | grep --line-buffered -E '(FAILED|ERROR)|^=+ .* in [0-9.]+s'
  status=${PIPESTATUS[0]}
  junit "browser tests" "$status" "$log" "$xml"
}

sid="$(ps -o sid= -p $$ | tr -d ' ')"
echo "$sid" > "$state_dir/session-$STAGE"
"stage_$STAGE"
