#!/usr/bin/env bash
# The history index against git itself, side by side, on one generated
# repository: `docket check` (one first-parent pass over every commit, own
# tree comparison, signature proofs, all rules) and `git log --raw
# --no-abbrev` (git listing every changed file of every commit).
#
#   bench/history.sh [COMMITS] [DIR]     defaults: 20000, /tmp/docket-bench-COMMITS
#
# The repository is generated once (examples/gen_history.rs) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
commits="${1:-20000}"
dir="${2:-/tmp/docket-bench-$commits}"
target="${CARGO_TARGET_DIR:-$(pwd)/target}"
case "$target" in /*) ;; *) target="$(pwd)/$target" ;; esac

cargo build --release --quiet --bin docket --example gen_history
if [ ! -d "$dir/.git" ]; then
    mkdir -p "$dir"
    "$target/release/examples/gen_history" "$dir" "$commits"
fi
docket="$target/release/docket"

best() { # best wall-clock seconds of 3 runs of a command
    local best=""
    for _ in 1 2 3; do
        local t0 t1
        t0=$(date +%s.%N)
        "$@" >/dev/null 2>&1 || true
        t1=$(date +%s.%N)
        best=$(echo "$t0 $t1 $best" | awk '{d=$2-$1; if ($3=="" || d<$3) print d; else print $3}')
    done
    printf '%.2f' "$best"
}

cd "$dir"
echo "repository: $dir ($(git rev-list --count HEAD) commits, $(git ls-files | wc -l) files)"
printf '%-44s %8s\n' "command" "seconds"
printf '%-44s %8s\n' "docket check --format json" "$(best "$docket" check --format json --as-of 2026-12-31)"
printf '%-44s %8s\n' "git log --raw --no-abbrev" "$(best git log --raw --no-abbrev)"
printf '%-44s %8s\n' "git log --raw --no-abbrev --first-parent" "$(best git log --raw --no-abbrev --first-parent)"
f=$(git ls-files orders | sed -n 1p)
id=$(basename "$f" .toml)
printf '%-44s %8s\n' "docket log $id" "$(best "$docket" log "$id")"
printf '%-44s %8s\n' "git log --follow -- $f" "$(best git log --follow -- "$f")"
