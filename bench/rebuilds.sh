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
#
# With CHANGE=people, each commit adds a new employee to people.toml
# instead, signed by the GM with the demo's key (keys/ beside RECORDS), as
# governance asks: the commit that, before the twenty-fourth sitting,
# laid out every page and proved every file again.
#
# With SEPARATE=1, binary k works on its own copy, RECORDS.k and SITE.k
# (made on first use with `cp -a`, git's index refreshed, then one build
# not timed): for binaries whose caches in .git/docket differ in format,
# which would otherwise throw each other's away on every round. That
# includes any two whose loaders differ by a byte of source: the kept
# records are kept under a seed of it (`load/kept.rs`), and each build
# after the other binary's reads every record again (half a second at
# 50,000 orders, which once passed for a slow host).
set -euo pipefail
records=$1 site=$2 rounds=$3
shift 3
as_of=2026-11-20
f=$(mktemp)
trap 'rm -f "$f"' EXIT
# The records and site binary k works on.
place() {
    if [ "${SEPARATE:-0}" != 1 ]; then
        echo "$records $site"
        return
    fi
    local r=${records%/}.$1 s=${site%/}.$1
    if [ ! -e "$r" ]; then
        cp -a "$records" "$r"
        cp -a "$site" "$s"
        # A copy has new inodes and change times: refresh git's index so
        # that it vouches for the copy's files as it did for the original's.
        git -C "$r" update-index -q --refresh || true
        "$2" build --records "$r" --as-of "$as_of" --out "$s" >/dev/null
    fi
    echo "$r $s"
}
k=0
for bin in "$@"; do
    k=$((k + 1))
    place "$k" "$bin" >/dev/null
done
for round in $(seq "$rounds"); do
    k=0
    for bin in "$@"; do
        k=$((k + 1))
        read -r r s < <(place "$k" "$bin")
        if [ "${CHANGE:-record}" = people ]; then
            printf '\n[[person]]\nid = "new%s.%s"\nname = "New Hire %s-%s"\nemails = ["new%s.%s@acme.example"]\nroles = ["qc"]\ndepartment = "qc"\n' \
                "$round" "$k" "$round" "$k" "$round" "$k" >>"$r/people.toml"
            git -C "$r" -c user.name="Wang Daming" -c user.email=wang@acme.example \
                -c gpg.format=ssh -c user.signingkey="$(dirname "$r")/keys/wang.gm" \
                commit -S -qam "people: new hire, round $round"
        else
            order=$(find "$r/orders" -name '*.toml' | sort | tail -1)
            printf '\n[[followup]]\ndate = %s\nby = "li.sales"\nnote = "Customer called (round %s)."\nrisk = false\n' \
                "$as_of" "$round" >>"$order"
            git -C "$r" -c user.name="Li Mei" -c user.email=li@acme.example commit -qam "Follow-up, round $round"
        fi
        /usr/bin/time -o "$f" -f "%e %U %S %M" "$bin" build --records "$r" --as-of "$as_of" --out "$s" >/dev/null
        echo "$bin $(awk '{printf "%.2f %.2f %.2f %d", $1, $2, $3, $4 / 1024}' "$f")"
    done
done
