# The Python virtualenvs the run needs, made or brought up to date before any stage runs, so that
# no stage installs a package (sourced by scripts/lib/stage.sh). Cached under ~/.cache (local
# reruns reuse them); a venv is reinstalled only when its requirements change (a stamp of their
# hash in the venv) or an import fails. $venvs_needed names them: fuzz, conformance, browser.

# make_venv DIR PYTHON IMPORTS REQUIREMENTS [EXTRA PACKAGE...]
make_venv() {
  local dir="$1" python="$2" imports="$3" requirements="$4" stamp
  shift 4
  stamp="$( (cat "$requirements"; echo "$*") | sha256sum | cut -c1-16)"
  if [ ! -x "$dir/bin/python" ]; then
    echo "creating $dir"
    bounded 120 "python3 -m venv $dir" "$python" -m venv "$dir" || return 1
  fi
  if [ "$(cat "$dir/.livechat-requirements" 2> /dev/null)" = "$stamp" ] && "$dir/bin/python" -c "import $imports" 2> /dev/null; then
    echo "$dir: up to date"
    return 0
  fi
  echo "installing ${requirements#"$root"/}${*:+ and $*} into $dir"
  bounded 900 "pip install into $dir" "$dir/bin/pip" install -q --disable-pip-version-check --timeout 60 \
    -r "$requirements" "$@" || return 1
  "$dir/bin/python" -c "import $imports" || return 1
  echo "$stamp" > "$dir/.livechat-requirements"
}

stage_venvs() {
  local name started status
  for name in ${venvs_needed:-}; do
    started=$SECONDS
    step "the $name virtualenv (pip install)"
    case "$name" in
      fuzz) make_venv "$fuzz_venv" python3 schemathesis "$root/Tests/fuzz/requirements.txt" ;;
      # As ../shared/conformance/run.sh makes it (which then finds it ready).
      conformance)
        if [ ! -f "$conformance/requirements.txt" ]; then echo "no conformance suite at $conformance"; continue; fi
        make_venv "$CONFORMANCE_VENV" "${PYTHON:-$(command -v python3.11 || command -v python3)}" \
          "pytest, pytest_timeout, requests, websockets" "$conformance/requirements.txt" ;;
      # pytest-timeout: a time bound on each browser test.
      browser) make_venv "$browser_venv" python3 "pytest, pytest_timeout, selenium, requests, websockets" \
        "$root/Tests/browser/requirements.txt" pytest-timeout ;;
    esac
    status=$?
    if [ "$status" -ne 0 ]; then
      fail "$name virtualenv" "could not be made or updated"
      record "$name virtualenv" 0 1 0 $((SECONDS - started))
    else
      record "$name virtualenv" 0 0 0 $((SECONDS - started))
    fi
  done
}
