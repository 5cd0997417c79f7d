#!/usr/bin/env bash
# Benchmarks docket against its floors, side by side, in one run.
#
#   bench/run.sh [ORDERS ...]        default: 1000 10000 50000
#
# For each size it generates the demo company (`docket demo --orders N`),
# then measures, on that repository:
#   demo          generating the repository (about 6 commits per order)
#   git log       `git log --raw --no-abbrev`: the floor for the history pass
#   check         cold `docket check` (history cache removed)
#   build         cold `docket build`
#   warm build    `docket build` again after one new commit
#   hugo          Hugo rendering one page per record from equivalent content:
#                 the floor for rendering. Plain Hugo: the TOML is a fenced
#                 code block, and syntax highlighting is off
#                 (markup.highlight.codeFences = false), because docket
#                 highlights nothing; highlighting made Hugo 3.3x slower
#                 and flattered docket in runs before 2026-11-30.
#   ms/page       rendering cost per page: docket's (build - check) / its
#                 pages, against Hugo's whole run / its pages (Hugo's
#                 start-up included, so the comparison favours docket a
#                 little at 1,000 orders and not at all at 10,000)
#   ms/record page  the cold build's record-page stage (DOCKET_TIMINGS)
#                 over the records: what a record page with its timeline
#                 and signature blocks costs, without the lists, the
#                 audit page and data.json that Hugo does not make, and
#                 without the difference of two noisy runs
# Each figure is wall-clock seconds, with peak memory (MiB) for docket's own
# commands. The machine is shared: compare ratios within one run.
#
# No file is deleted shortly before a measurement (bench/deletions.sh): on
# ext4, which of docket or Hugo landed next to freshly freed inodes decided
# the comparison (BENCHMARKS.md, "The file system's memory of deletions").
# So a previous run's folder is moved aside and deleted at the end, and a
# run that starts less than five minutes after such a deletion waits out
# the rest first.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 50000)

bench=$PWD/target/bench
mkdir -p "$bench"
. bench/deletions.sh
wait_out_deletions "$bench"
trash=()
cleanup() {
    [ ${#trash[@]} -gt 0 ] || return 0
    rm -rf "${trash[@]}"
    note_deletion "$bench"
}
trap cleanup EXIT

if ! command -v hugo >/dev/null; then
    apt-get update -qq && apt-get install -y -qq hugo >/dev/null
fi
cargo build --release -q
docket=$PWD/target/release/docket
as_of=2026-11-20

# Run a command, print "seconds peak-MiB".
measure() {
    local f
    f=$(mktemp)
    /usr/bin/time -o "$f" -f "%e %M" "$@" >/dev/null 2>"${MEASURE_ERR:-/dev/null}" || true
    tail -1 "$f" | awk '{printf "%.2f %d", $1, $2/1024}'
    rm -f "$f"
}

hugo_site() {
    local records=$1 dest=$2
    rm -rf "$dest" && mkdir -p "$dest/layouts/_default" "$dest/content"
    printf 'baseURL = "/"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n[markup.highlight]\ncodeFences = false\n' >"$dest/hugo.toml"
    printf '<!doctype html><title>{{ .Title }}</title><main>{{ .Content }}</main>\n' >"$dest/layouts/_default/single.html"
    printf '<!doctype html><title>{{ .Title }}</title><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>\n' >"$dest/layouts/_default/list.html"
    cp "$dest/layouts/_default/list.html" "$dest/layouts/index.html"
    # One page per record, its TOML shown as a code block: the same page
    # count and about the same bytes as docket's record pages. (One Python
    # process, not a fork per file: 100,000 records.)
    python3 - "$records" "$dest/content" <<'PY'
import os, sys
records, content = sys.argv[1], sys.argv[2]
for base, dirs, files in os.walk(records):
    dirs[:] = [d for d in dirs if d != ".git"]
    rel = os.path.relpath(base, records)
    if rel == ".":
        continue
    kind = rel.split(os.sep)[0]
    for f in files:
        if not f.endswith(".toml"):
            continue
        os.makedirs(os.path.join(content, kind), exist_ok=True)
        with open(os.path.join(base, f), encoding="utf-8") as src:
            text = src.read()
        with open(os.path.join(content, kind, f[:-5] + ".md"), "w", encoding="utf-8") as out:
            out.write('---\ntitle: "%s"\n---\n\n```toml\n%s```\n' % (f[:-5], text))
PY
}

printf '| orders | commits | records | demo s | git log --raw s | check s (MiB) | build s (MiB) | build / git log | warm build s (MiB) | plain hugo s | pages (hugo) | ms/page docket | ms/page hugo | ms/record page docket |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in "${sizes[@]}"; do
    dir=$bench/$n
    if [ -e "$dir" ]; then
        mv "$dir" "$bench/.old-$n-$$"
        trash+=("$bench/.old-$n-$$")
    fi
    mkdir -p "$dir"
    demo=$(measure "$docket" demo --orders "$n" --repo "$dir/records" --out "$dir/demo-site")
    repo=$dir/records
    # The generator writes plain packs for speed; a company's repository has
    # been through `git gc`, so readers see deltified packs. Measure that.
    git -C "$repo" repack -adfq
    commits=$(git -C "$repo" rev-list --count HEAD)
    records=$(find "$repo" -name '*.toml' -not -path '*/.git/*' | wc -l)
    gitlog=$(measure git -C "$repo" log --raw --no-abbrev)
    rm -rf "$repo/.git/docket" # the history cache: cold means without it
    check=$(measure "$docket" check --records "$repo" --as-of "$as_of" --format json)
    if "$docket" help build >/dev/null 2>&1; then
        rm -rf "$repo/.git/docket"
        build=$(MEASURE_ERR="$dir/build-timings.txt" measure env DOCKET_TIMINGS=1 "$docket" build --records "$repo" --as-of "$as_of" --out "$dir/site")
        record_s=$(awk '/^timing render record pages/ { print $5 }' "$dir/build-timings.txt")
        # One new commit: a follow-up on the newest order.
        order=$(find "$repo/orders" -name '*.toml' | sort | tail -1)
        printf '\n[[followup]]\ndate = %s\nby = "li.sales"\nnote = "Customer called about packing."\nrisk = false\n' "$as_of" >>"$order"
        git -C "$repo" -c user.name="Li Mei" -c user.email=li@acme.example commit -qam "follow-up"
        warm=$(measure "$docket" build --records "$repo" --as-of "$as_of" --out "$dir/site")
        pages=$(find "$dir/site" -name '*.html' | wc -l)
    else
        build="- -" warm="- -" pages=- record_s=-
    fi
    hugo_site "$repo" "$dir/hugo"
    hugo=$(measure hugo --quiet -s "$dir/hugo" -d "$dir/hugo/public")
    hugo_pages=$(find "$dir/hugo/public" -name '*.html' | wc -l)
    fmt() { awk '{ if ($2 == "-") print "-"; else printf "%s (%s)", $1, $2 }' <<<"$1"; }
    ratio=$(awk -v b="$(cut -d' ' -f1 <<<"$build")" -v g="$(cut -d' ' -f1 <<<"$gitlog")" \
        'BEGIN { if (b == "-" || g == 0) print "-"; else printf "%.1fx", b / g }')
    per_page=$(awk -v b="$(cut -d' ' -f1 <<<"$build")" -v c="$(cut -d' ' -f1 <<<"$check")" -v p="$pages" \
        'BEGIN { if (b == "-" || p == "-" || p == 0) print "-"; else printf "%.3f", (b - c) * 1000 / p }')
    hugo_per_page=$(awk -v h="$(cut -d' ' -f1 <<<"$hugo")" -v p="$hugo_pages" \
        'BEGIN { if (p == 0) print "-"; else printf "%.3f", h * 1000 / p }')
    record_page=$(awk -v s="$record_s" -v r="$records" \
        'BEGIN { if (s == "-" || s == "" || r == 0) print "-"; else printf "%.3f", s * 1000 / r }')
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$commits" "$records" \
        "$(cut -d' ' -f1 <<<"$demo")" "$(cut -d' ' -f1 <<<"$gitlog")" "$(fmt "$check")" "$(fmt "$build")" \
        "$ratio" "$(fmt "$warm")" "$(cut -d' ' -f1 <<<"$hugo")" "$pages ($hugo_pages)" "$per_page" "$hugo_per_page" \
        "$record_page"
done
printf '\nmachine: %s, %s cores, %s\n' "$(uname -m)" "$(nproc)" "$(free -g | awk '/Mem:/ {print $2 " GiB"}')"
