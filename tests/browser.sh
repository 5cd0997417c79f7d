#!/usr/bin/env bash
# Browser test of the site docket builds: loads pages from file:// in a
# headless Chromium, as an auditor's browser would, and checks that
#   - no page logs a console error or an uncaught exception,
#   - the table filter works (?filter= in the address pre-fills it),
#   - screenshots of the main pages land in target/screenshots/ for a
#     person to look at;
# then, on the demo company (`docket demo`, in English and in Chinese),
# tests/browser/check.mjs checks paper (printed PDFs hold every table
# cell), phones (no sideways scrolling at 320-390 px), keyboards and
# screen readers (axe-core, a visible focus on every focusable element)
# and requests (nothing leaves the folder); see the head of check.mjs.
# It installs nothing: it needs /usr/bin/chromium (or $CHROMIUM),
# pdftotext (poppler-utils), node with `npm ci --prefix tests/browser`
# done, and cargo. .ci/run installs them on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
    echo "browser.sh: $CHROMIUM not found; install it (apt-get install -y chromium) or set CHROMIUM" >&2
    exit 1
fi
for tool in node pdftotext pdfinfo; do
    if ! command -v "$tool" > /dev/null; then
        echo "browser.sh: $tool not found; install it (apt-get install -y nodejs poppler-utils)" >&2
        exit 1
    fi
done
if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/axe-core ]; then
    echo "browser.sh: run 'npm ci --prefix tests/browser' first (playwright-core, axe-core)" >&2
    exit 1
fi

cargo build --quiet
docket=$PWD/target/debug/docket
shots=$PWD/target/screenshots
mkdir -p "$shots"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A small company: three orders (one overdue, one awaiting review), a CAPA,
# surveys over two years (one under target), customer property.
rec=$work/records
mkdir -p "$rec"/{customers,products,orders/2026,flowsheets/2026,capa/2026,surveys/2025,surveys/2026,property/2026}
cat > "$rec/docket.toml" <<'EOF'
[company]
name = "Acme Precision Parts Co., Ltd."
language = "en"
timezone = "+08:00"
EOF
for p in "wang.gm|Wang Daming|gm|commerce" "li.sales|Li Mei|sales|sales" "sun.qc|Sun Hui|qc|qc" "zhao.mfg|Zhao Gang|manufacturing|manufacturing"; do
    IFS='|' read -r id name role dept <<< "$p"
    printf '[[person]]\nid = "%s"\nname = "%s"\nemails = ["%s@acme.example"]\nroles = ["%s"]\ndepartment = "%s"\n\n' \
        "$id" "$name" "${id%%.*}" "$role" "$dept" >> "$rec/people.toml"
done
for c in "C-0001|Nordlicht Maschinenbau GmbH|international" "C-0002|台灣精密工業股份有限公司|domestic"; do
    IFS='|' read -r id name region <<< "$c"
    printf 'id = "%s"\nname = "%s"\nregion = "%s"\naddress = "Harbour Road 12"\ncontact = "Anna Keller"\nphone = "+49 40 123456"\nsince = 2024-01-05\naccount_manager = "li.sales"\nactive = true\n' \
        "$id" "$name" "$region" > "$rec/customers/$id.toml"
done
printf 'part_number = "AP-SH-1020"\nname = "Stainless shaft"\nspec = "D10 x 200 mm, SUS304"\nunit = "pcs"\nstatus = "active"\n' \
    > "$rec/products/AP-SH-1020.toml"
order() { # id customer received delivery extra
    printf 'id = "%s"\ncustomer = "%s"\ncustomer_ref = "PO-%s"\nchannel = "website"\nreceived = %s\nowner = "li.sales"\nlegible = true\n\n[[line]]\npart_number = "AP-SH-1020"\nproduct = "Stainless shaft"\nspec = "D10 x 200 mm, SUS304"\nquantity = 500\ndelivery = %s\n%b' \
        "$1" "$2" "${1: -4}" "$3" "$4" "${5:-}" > "$rec/orders/2026/$1.toml"
}
reviewed='\n[capacity]\nstock = 200\nproducible = true\nmaterials_ready = true\nnew_product = false\n\n[review]\ndecision = "approved"\nby = "wang.gm"\ndate = 2026-%s\nnote = "Approved, **rush** delivery."\n'
order SO-2026-0001 C-0001 2026-03-02 2026-04-15 "$(printf "$reviewed" 03-03)\n[delivery]\ndate = 2026-04-14\n"
order SO-2026-0002 C-0002 2026-04-20 2026-06-01 "$(printf "$reviewed" 04-21)"
order SO-2026-0003 C-0001 2026-06-10 2026-07-30
for n in 1 2; do
    printf 'id = "MF-2026-000%s"\norder = "SO-2026-000%s"\nissued = 2026-0%s-05\nby = "li.sales"\nrevision = 1\n\n[[line]]\npart_number = "AP-SH-1020"\nquantity = 500\ndue = 2026-05-30\n' \
        "$n" "$n" "$((n + 2))" > "$rec/flowsheets/2026/MF-2026-000$n.toml"
done
cat > "$rec/capa/2026/CAPA-2026-0001.toml" <<'EOF'
id = "CAPA-2026-0001"
kind = "corrective"
source = "complaint"
customer = "C-0001"
order = "SO-2026-0001"
opened = 2026-05-02
opened_by = "li.sales"
description = "Shafts *scratched* on arrival."
responsible_department = "manufacturing"

[investigation]
by = "zhao.mfg"
date = 2026-05-06
root_cause = "Packed without sleeves."
countermeasure = "A sleeve on every shaft."
EOF
survey() { # id customer year score
    printf 'id = "%s"\ncustomer = "%s"\nyear = %s\nsent = %s-01-10\nsent_by = "li.sales"\nreturned = %s-02-01\n\n[scores]\nquality = %s\ndelivery = %s\nservice = 4\nprice = 4\ncommunication = 4\n' \
        "$1" "$2" "$3" "$3" "$3" "$4" "$4" > "$rec/surveys/$3/$1.toml"
}
survey SV-2025-0001 C-0001 2025 5
survey SV-2026-0001 C-0001 2026 4
survey SV-2026-0002 C-0002 2026 3
cat > "$rec/property/2026/CP-2026-0001.toml" <<'EOF'
id = "CP-2026-0001"
customer = "C-0001"
item = "Thread gauge M10"
received = 2026-03-02
custodian = "li.sales"
location = "QC lab cabinet 2"

[[incident]]
date = 2026-04-02
kind = "damaged"
description = "Dropped during calibration."
EOF
cat > "$rec/procedure.md" <<'EOF'
# Service responsibility

## 4.2.1 Order review {#c4.2.1}

The GM reviews every order: legibility, customer, product, capacity.

## 4.5.2 Complaints {#c4.5.2}

Every complaint is written on a CAPA form and handed to QC.
EOF

# Commit it, so record pages show a timeline and signature proofs.
if command -v git > /dev/null; then
    git -C "$rec" init -q
    git -C "$rec" add -A
    GIT_AUTHOR_NAME="Li Mei" GIT_AUTHOR_EMAIL=li@acme.example GIT_AUTHOR_DATE="2026-06-10T09:00:00+08:00" \
    GIT_COMMITTER_NAME="Li Mei" GIT_COMMITTER_EMAIL=li@acme.example GIT_COMMITTER_DATE="2026-06-10T09:00:00+08:00" \
        git -C "$rec" -c commit.gpgsign=false commit -q -m "Records as of June"
fi

site=$work/site
"$docket" build --records "$rec" --out "$site" --as-of 2026-06-15

chrome() {
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d -p "$work")" --enable-logging=stderr --v=0 \
        --virtual-time-budget=3000 "$@"
}

failed=0
fail() { echo "FAIL: $*" >&2; failed=1; }

# 1. No console output at all on the main pages (the script logs nothing,
#    so any console line is an error or a blocked resource).
for page in index.html orders/index.html orders/SO-2026-0001.html customers/C-0001.html \
    findings.html procedure.html rules.html people.html; do
    chrome --dump-dom "file://$site/$page" > "$work/dom.html" 2> "$work/console.log" || fail "$page: chromium failed"
    if grep -E "Uncaught|:CONSOLE|Failed to load resource|Not allowed to load" "$work/console.log"; then
        fail "$page: console errors"
    fi
    grep -q "</html>" "$work/dom.html" || fail "$page: no DOM"
done

# 2. The filter: ?filter=SO-2026-0002 leaves only that row visible.
chrome --dump-dom "file://$site/orders/index.html?filter=SO-2026-0002" > "$work/dom.html" 2>/dev/null
rows() { grep -o "<tr[^>]*>[^\n]*" "$work/dom.html" | grep "orders/SO-2026-000$1.html" | head -1; }
rows 2 | grep -q "hidden" && fail "filter hid the matching row"
rows 1 | grep -q "hidden" || fail "filter did not hide SO-2026-0001"
rows 3 | grep -q "hidden" || fail "filter did not hide SO-2026-0003"
grep -q 'aria-sort\|<button type="button">' "$work/dom.html" || fail "sort buttons missing"

# 3. Screenshots, for a person to look at.
for page in index.html orders/index.html orders/SO-2026-0001.html customers/C-0001.html procedure.html findings.html; do
    name=$(echo "${page%.html}" | tr / -)
    chrome --hide-scrollbars --window-size=1280,900 --screenshot="$shots/$name.png" "file://$site/$page" 2>/dev/null
    [ -s "$shots/$name.png" ] || fail "no screenshot of $page"
done
# The same company in Chinese.
sed -i 's/language = "en"/language = "zh-Hant"/' "$rec/docket.toml"
"$docket" build --records "$rec" --out "$site" --as-of 2026-06-15 > /dev/null
chrome --hide-scrollbars --window-size=1280,900 --screenshot="$shots/index-zh-Hant.png" "file://$site/index.html" 2>/dev/null
chrome --hide-scrollbars --window-size=1280,900 --screenshot="$shots/orders-SO-2026-0001-zh-Hant.png" "file://$site/orders/SO-2026-0001.html" 2>/dev/null

# 4. The demo company, read by people: paper, phones, keyboards, screen
#    readers, in both languages.
demo=$work/demo
"$docket" demo --repo "$demo/records" --out "$demo/site" > /dev/null
as_of=$(sed -n 's/.*<p class="asof">[^0-9]*\([0-9-]*\)<.*/\1/p' "$demo/site/index.html" | head -1)
[ -n "$as_of" ] || { echo "browser.sh: no as-of date on the demo's dashboard" >&2; exit 1; }
sed -i 's/language = "en"/language = "zh-Hant"/' "$demo/records/docket.toml"
"$docket" build --records "$demo/records" --out "$demo/site-zh" --as-of "$as_of" > /dev/null
CHROMIUM=$CHROMIUM node tests/browser/check.mjs --site "$demo/site" --site-zh "$demo/site-zh" \
    --out "$PWD/target/browser" --shots "$shots" || fail "tests/browser/check.mjs"

if [ "$failed" = 0 ]; then
    echo "browser.sh: ok (screenshots in $shots, printed PDFs in target/browser/print)"
fi
exit "$failed"
