#!/usr/bin/env bash
# Cold builds, alternating docket binaries, with `git log --raw` in each
# round: issue 16's goal 4 (a cold build at most 3x `git log --raw
# --no-abbrev`) measured in one sitting, where the machine's speed moves
# by more than the difference between two binaries.
#
#   bench/cold.sh RECORDS ROUNDS DOCKET [DOCKET ...]
#
# RECORDS is a generated demo (`docket demo --orders N`, then `git repack
# -adfq`, as bench/run.sh makes it). Before each build the caches
# (.git/docket) are removed; the site is written to a new folder on
# /dev/shm, so no build lands beside another's freshly freed inodes
# (BENCHMARKS.md, "The file system's memory of deletions"). Prints
# "round binary wall-s user-s peak-KiB" per build and "round git-log
# wall-s" per round. Compare ratios within one run. The binaries take
# turns going first, so that none always follows `git log` or the same
# other binary.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,18p' "$0"; exit 2; }
repo=$1 rounds=$2
shift 2
out=$(mktemp -d /dev/shm/docket-cold.XXXXXX)
timed=$(mktemp)
trap 'rm -rf "$out" "$timed"' EXIT
binaries=("$@")
for r in $(seq 1 "$rounds"); do
    n=${#binaries[@]} first=$(((r - 1) % n))
    for k in $(seq 0 $((n - 1))); do
        docket=${binaries[$(((first + k) % n))]}
        rm -rf "$repo/.git/docket" "$out/site"
        /usr/bin/time -o "$timed" -f "%e %U %M" "$docket" build --records "$repo" \
            --as-of 2026-11-20 --out "$out/site" >/dev/null 2>&1 || true
        echo "round $r $docket $(tail -1 "$timed")"
    done
    /usr/bin/time -o "$timed" -f "%e" git -C "$repo" log --raw --no-abbrev >/dev/null
    echo "round $r git-log $(tail -1 "$timed")"
done
