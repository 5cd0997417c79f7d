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

best() { # best wall-clock and CPU (user+sys) seconds of 3 runs of a command
    local best="" cpu=""
    for _ in 1 2 3; do
        # docket's history cache would make every run after the first warm
        [ -z "${COLD:-}" ] || rm -rf "$dir/.git/docket"
        local tmp wall user sys
        tmp=$(mktemp)
        /usr/bin/time -o "$tmp" -f "%e %U %S" "$@" >/dev/null 2>&1 || true
        read -r wall user sys < <(tail -1 "$tmp")
        rm -f "$tmp"
        local c
        c=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
        if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$wall; fi
        if [ -z "$cpu" ] || awk -v a="$c" -v b="$cpu" 'BEGIN { exit !(a < b) }'; then cpu=$c; fi
    done
    printf '%8.2f %8.2f' "$best" "$cpu"
}

cd "$dir"
echo "repository: $dir ($(git rev-list --count HEAD) commits, $(git ls-files | wc -l) files)"
printf '%-44s %8s %8s\n' "command" "wall s" "cpu s"
printf '%-44s %s\n' "docket check --format json" "$(COLD=1 best "$docket" check --format json --as-of 2026-12-31)"
printf '%-44s %s\n' "git log --raw --no-abbrev" "$(best git log --raw --no-abbrev)"
printf '%-44s %s\n' "git log --raw --no-abbrev --first-parent" "$(best git log --raw --no-abbrev --first-parent)"
f=$(git ls-files orders | sed -n 1p)
id=$(basename "$f" .toml)
printf '%-44s %s\n' "docket log $id" "$(COLD=1 best "$docket" log "$id")"
printf '%-44s %s\n' "git log --follow -- $f" "$(best git log --follow -- "$f")"
"$docket" log "$id" >/dev/null # fill the cache
printf '%-44s %s\n' "docket log $id (cache at HEAD)" "$(best "$docket" log "$id")"
