#!/usr/bin/env bash
# The upgrade path: the caches (.git/docket) and the site an OLD docket
# made, then one build by each NEW docket, each on its own copy. A build
# that finds every cache of another format and a site whose pages it
# cannot take is where a big company's memory peaks (issue 16's goal 5:
# under 1 GiB at 50,000 orders; BENCHMARKS.md).
#
#   bench/upgrade.sh RECORDS OLD NEW [NEW ...]
#
# RECORDS (a generated demo, never a company's records) is copied beside
# itself with `cp -a`, its caches removed, and OLD builds it cold; then
# for each NEW binary k that copy and its site are copied again and NEW
# builds once, with DOCKET_TIMINGS=1 (its stages in upgrade-k.txt beside
# the copies). Prints "binary wall-s user-s system-s peak-MiB" per build.
# The copies are removed at the end; they need the disk of 1 + N records
# folders and sites.
set -euo pipefail
records=${1%/} old=$2
shift 2
as_of=2026-11-20
work=$(mktemp -d "$(dirname "$records")/.upgrade.XXXXXX")
trap 'rm -rf "$work"' EXIT
f=$(mktemp)
build() {
    local bin=$1 r=$2 s=$3 log=$4
    /usr/bin/time -o "$f" -f "%e %U %S %M" env DOCKET_TIMINGS=1 \
        "$bin" build --records "$r" --as-of "$as_of" --out "$s" >/dev/null 2>"$log"
    echo "$bin $(awk '{printf "%.2f %.2f %.2f %d", $1, $2, $3, $4 / 1024}' "$f")"
}
cp -a "$records" "$work/r0"
# A copy has new inodes and change times: git's index is refreshed so that
# it vouches for the copy's files as it did for the original's.
git -C "$work/r0" update-index -q --refresh || true
rm -rf "$work/r0/.git/docket"
build "$old" "$work/r0" "$work/s0" "$work/old.txt"
k=0
for bin in "$@"; do
    k=$((k + 1))
    cp -a "$work/r0" "$work/r$k"
    cp -a "$work/s0" "$work/s$k"
    git -C "$work/r$k" update-index -q --refresh || true
    build "$bin" "$work/r$k" "$work/s$k" "$(dirname "$records")/upgrade-$k.txt"
    rm -rf "$work/r$k" "$work/s$k"
done
