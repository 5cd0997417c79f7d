#!/usr/bin/env bash
# Record pages against plain Hugo, paired, in one sitting (issue 16, goal 2).
#
#   bench/pages.sh N [PAIRS]      after `bench/run.sh N` (its repository and
#                                 its Hugo site in target/bench/N)
#
# Each pair: a cold `docket build --no-cache` into a new folder, whose
# record-page stage (DOCKET_TIMINGS) over the records is what a record page
# with its timeline and signature blocks costs; and Hugo on the same
# records, one page each, over its pages. Which goes first alternates.
# Earlier outputs are moved aside and deleted at the end, and a run that
# starts less than five minutes after a deletion by this script or
# bench/run.sh waits out the rest: on ext4 creating files just after
# thousands were deleted nearby costs several times more (deletions.sh).
# Hugo writing to a folder outside its site was slower still (16 to 23 s
# against 5 to 6 s at 10,000 orders): neither is the renderer's cost.
set -euo pipefail
cd "$(dirname "$0")/.."
n=$1 pairs=${2:-4}
bench=$PWD/target/bench
dir=$bench/$n
docket=$PWD/target/release/docket
cargo build --release -q
. bench/deletions.sh
wait_out_deletions "$bench"
records=$(find "$dir/records" -name '*.toml' -not -path '*/.git/*' | wc -l)
trash=$(mktemp -d "$dir/.pages-old.XXXXXX")
trap 'rm -rf "$trash"; note_deletion "$bench"' EXIT
aside() { if [ -e "$1" ]; then mv "$1" "$(mktemp -d "$trash/x.XXXXXX")/"; fi; }
docket_run() {
    aside "$dir/pages-site"
    s=$(DOCKET_TIMINGS=1 "$docket" build --records "$dir/records" --as-of 2026-11-20 --no-cache \
        --out "$dir/pages-site" 2>&1 >/dev/null | awk '/^timing render record pages/ { print $5 }')
}
hugo_run() {
    aside "$dir/hugo/public"
    h=$( { /usr/bin/time -f "%e" hugo --quiet -s "$dir/hugo" -d "$dir/hugo/public" >/dev/null; } 2>&1 | tail -1)
    hp=$(find "$dir/hugo/public" -name '*.html' | wc -l)
}
printf '| pair | first | docket record pages s (ms a record) | Hugo s (ms a page) | ratio |\n|---:|---|---:|---:|---:|\n'
for pair in $(seq "$pairs"); do
    if [ $((pair % 2)) = 1 ]; then first=docket; docket_run; hugo_run; else first=hugo; hugo_run; docket_run; fi
    awk -v p="$pair" -v f="$first" -v s="$s" -v r="$records" -v h="$h" -v hp="$hp" 'BEGIN {
        printf "| %d | %s | %.2f (%.3f) | %.2f (%.3f) | %.2fx |\n", p, f, s, s * 1000 / r, h, h * 1000 / hp, (s / r) / (h / hp) }'
done
aside "$dir/pages-site"
