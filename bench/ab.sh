#!/usr/bin/env bash
# A/B of two docket binaries on one demo repository, in one sitting.
#
#   bench/ab.sh A B RECORDS [ROUNDS]
#
# Each round, for A then B: a cold build (history caches and the output
# folder removed), then a warm rebuild over that site (nothing changed).
# Each binary builds into its own folder (RECORDS/../site-a, site-b). Prints
# every run as "name kind wall-s cpu-s peak-MiB", then the medians. On a
# shared machine wall time moves with the others' load; CPU time (user +
# system) is the steadier figure. A cold build's old site is moved aside,
# not deleted, and the old sites are deleted at the end: on ext4, creating
# files just after thousands were deleted nearby costs several times more
# (bench/run.sh says why).
set -euo pipefail
a=$1 b=$2 records=$3 rounds=${4:-5}
as_of=2026-11-20
base=$(dirname "$records")
log=$(mktemp)
trash=$(mktemp -d "$base/.ab-old.XXXXXX")
trap 'rm -rf "$trash"' EXIT
run() {
    local name=$1 bin=$2 kind=$3 out=$base/site-$1 f
    if [ "$kind" = cold ]; then
        rm -rf "$records/.git/docket"
        if [ -e "$out" ]; then mv "$out" "$(mktemp -d "$trash/site.XXXXXX")/"; fi
        # And the spare beside it (docs/site.md): without a site docket
        # removes it, which is not the cold build's work.
        spare=$base/.site-$1.docket-spare
        if [ -e "$spare" ]; then mv "$spare" "$(mktemp -d "$trash/spare.XXXXXX")/"; fi
    fi
    f=$(mktemp)
    /usr/bin/time -o "$f" -f "%e %U %S %M" "$bin" build --records "$records" --as-of "$as_of" --out "$out" >/dev/null
    echo "$name $kind $(awk '{printf "%.2f %.2f %d", $1, $2 + $3, $4 / 1024}' "$f")" | tee -a "$log"
    rm -f "$f"
}
for _ in $(seq "$rounds"); do
    run a "$a" cold; run a "$a" warm
    run b "$b" cold; run b "$b" warm
done
echo "medians (wall s, cpu s, peak MiB):"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for name in a b; do
    for kind in cold warm; do
        rows=$(grep "^$name $kind " "$log")
        printf '%s %s %s s %s s %s MiB\n' "$name" "$kind" \
            "$(awk '{print $3}' <<<"$rows" | median)" \
            "$(awk '{print $4}' <<<"$rows" | median)" \
            "$(awk '{print $5}' <<<"$rows" | median)"
    done
done
rm -f "$log"
