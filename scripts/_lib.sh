# Shared by scripts/run, scripts/test and scripts/lint (sourced, not run).
# Finds a Python >= 3.11, makes .venv, and installs the project into it only when
# pyproject.toml changed since the last install, so a second `make run` starts at once.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
cd "$ROOT"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

find_python() {
    local candidate
    for candidate in ${PYTHON:-} python3 python3.13 python3.12 python3.11 python; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

ensure_venv() {
    if [ ! -x "$PY" ]; then
        local python
        python="$(find_python)" || die "Pouet needs Python 3.11 or newer on PATH (or PYTHON=/path/to/python3)."
        say "Creating .venv with $python ($("$python" --version 2>&1))"
        "$python" -m venv "$VENV"
    fi
}

# install_project "" | "[test]": pip install -e ".$extras", skipped when already done for
# this pyproject.toml (a stamp file in .venv records its checksum).
install_project() {
    local extras="${1:-}"
    local stamp="$VENV/.pouet-installed${extras:+-test}"
    local sum
    sum="$(cksum < "$ROOT/pyproject.toml")"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
        return 0
    fi
    say "Installing Pouet${extras:+ and its test tools} into .venv (pip install -e \".$extras\")"
    "$PY" -m pip install --quiet --disable-pip-version-check -e ".$extras"
    echo "$sum" > "$stamp"
}

# dotenv_get KEY: the value of KEY in .env (empty when absent).
dotenv_get() {
    [ -f "$ROOT/.env" ] || return 0
    sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$ROOT/.env" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"
}
