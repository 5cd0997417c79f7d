#!/usr/bin/env bash
# Builds that lay out every record page with the caches warm, alternating
# docket binaries, in one sitting: what a build costs after an edit of
# docket.toml, a template's change or a new docket (every page's
# fingerprint starts from them), or into a new output folder. The
# history's walk continues its cached index, so every timeline reads its
# old revisions and verifies its commits' signatures from git.
#
#   bench/every-page.sh RECORDS ROUNDS DOCKET [DOCKET ...]
#
# RECORDS is a generated demo (never a company's records) built at least
# once before, so that its caches in .git/docket are warm and of the
# binaries' format. Each build writes a new site on /dev/shm (no build
# lands beside another's freshly freed inodes: BENCHMARKS.md, "The file
# system's memory of deletions"). Prints "binary wall-s user-s system-s
# peak-MiB record-pages-s signatures-verified-when-asked" per build.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,16p' "$0"; exit 2; }
records=$1 rounds=$2
shift 2
out=$(mktemp -d /dev/shm/docket-every-page.XXXXXX)
timed=$(mktemp) err=$(mktemp)
trap 'rm -rf "$out" "$timed" "$err"' EXIT
for r in $(seq 1 "$rounds"); do
    for docket in "$@"; do
        rm -rf "$out/site" "$out"/.site*
        /usr/bin/time -o "$timed" -f "%e %U %S %M" env DOCKET_TIMINGS=1 "$docket" build \
            --records "$records" --as-of 2026-11-20 --out "$out/site" >/dev/null 2>"$err"
        pages=$(awk '/^timing render record pages/ {print $5}' "$err")
        asked=$(awk '/^count signatures when asked/ {print $5}' "$err")
        echo "$docket $(awk '{printf "%.2f %.2f %.2f %d", $1, $2, $3, $4 / 1024}' "$timed") $pages $asked"
    done
done
