#!/usr/bin/env bash
# The release build is the build that was tested.
#
# The test suite runs the dev profile; users run the release profile
# (`cargo run --release -- demo`, the README's first command, and `cargo
# install`), which optimizes the whole program as one unit (Cargo.toml).
# A difference between the two (code that behaves otherwise optimized, a
# feature that only one profile turns on, a `debug_assertions` branch)
# would never show in the tests. So, on the demo company: the release
# binary makes the repository (commit ids included) and the site, the dev
# binary makes its own from the same seed, and both must be byte for
# byte the same; then each builds its site again with its caches warm
# (the kept records, the history and proofs, the reads of every page),
# and both must be unchanged. Needs only cargo and git; prints each step.
set -euo pipefail
cd "$(dirname "$0")/.."

orders=${ORDERS:-1500}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --quiet
cargo build --quiet --release
for profile in release debug; do
    echo "   $profile: docket demo --orders $orders"
    "target/$profile/docket" demo --orders "$orders" --repo "$work/$profile/records" \
        --out "$work/$profile/site" > "$work/$profile.out"
done
a=$(git -C "$work/release/records" rev-parse HEAD)
b=$(git -C "$work/debug/records" rev-parse HEAD)
if [ "$a" != "$b" ]; then
    echo "release.sh: the release build's demo repository is at $a, the dev build's at $b" >&2
    exit 1
fi
diff -r "$work/release/site" "$work/debug/site" > "$work/diff" || {
    echo "release.sh: the release and dev builds made different sites:" >&2
    head -40 "$work/diff" >&2
    exit 1
}
for profile in release debug; do
    echo "   $profile: docket build again, the caches warm"
    cp -a "$work/$profile/site" "$work/$profile/before"
    "target/$profile/docket" build --records "$work/$profile/records" --as-of 2026-11-20 \
        --out "$work/$profile/site" > "$work/$profile.again"
    grep -q '(0 rendered' "$work/$profile.again" || {
        echo "release.sh: the $profile build rendered pages again with nothing changed:" >&2
        cat "$work/$profile.again" >&2
        exit 1
    }
    diff -r "$work/$profile/before" "$work/$profile/site" > "$work/diff" || {
        echo "release.sh: the $profile build changed its site with nothing changed:" >&2
        head -40 "$work/diff" >&2
        exit 1
    }
done
echo "   the release and dev builds made the same repository ($a) and the same site"
