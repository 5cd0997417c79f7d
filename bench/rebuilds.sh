#!/usr/bin/env bash
# Rebuilds after one new commit, alternating docket binaries, in one sitting.
#
#   bench/rebuilds.sh RECORDS SITE ROUNDS DOCKET [DOCKET ...]
#
# Before each build it appends a follow-up to the newest order of RECORDS
# and commits it (the repository grows by ROUNDS x binaries commits: use a
# generated demo, never a company's records), then rebuilds SITE with the
# next binary: the caches and the site are one commit old, as in a pull
# request's CI or an intranet rebuilt on each push. SITE must have been
# built before (the first round is otherwise a cold build). Prints
# "binary wall-s user-s system-s peak-MiB" per run. Issue 16's goal 3 is
# this figure under 1 s at 10,000 orders and under 4 s at 50,000.
set -euo pipefail
records=$1 site=$2 rounds=$3
shift 3
as_of=2026-11-20
order=$(find "$records/orders" -name '*.toml' | sort | tail -1)
f=$(mktemp)
trap 'rm -f "$f"' EXIT
for round in $(seq "$rounds"); do
    for bin in "$@"; do
        printf '\n[[followup]]\ndate = %s\nby = "li.sales"\nnote = "Customer called (round %s)."\nrisk = false\n' \
            "$as_of" "$round" >>"$order"
        git -C "$records" -c user.name="Li Mei" -c user.email=li@acme.example commit -qam "Follow-up, round $round"
        /usr/bin/time -o "$f" -f "%e %U %S %M" "$bin" build --records "$records" --as-of "$as_of" --out "$site" >/dev/null
        echo "$bin $(awk '{printf "%.2f %.2f %.2f %d", $1, $2, $3, $4 / 1024}' "$f")"
    done
done
