#!/usr/bin/env bash
# Mutation testing of docket's trust-critical code (docs/testing.md).
#
#   bash tests/mutants.sh                 # every trust-critical file
#   bash tests/mutants.sh FILE...         # just these files
#   bash tests/mutants.sh --in-diff BASE  # what a change touches (CI)
#
# Each mutant (one operator or return value changed) is built and the CLI
# tests and the library's unit tests run against it; a mutant no test notices is "missed". Results go
# to mutants.out/ (outcomes.json, missed.txt, caught.txt). Installs
# cargo-mutants when missing. Exits non-zero when a mutant is missed.
#
# By default each mutant is built in a copy of the tree with a copy of
# target/ (warm, but a few GB). MUTANTS_IN_PLACE=1 mutates this tree
# itself (no copy; cargo-mutants puts each file back after its mutant):
# for a throwaway checkout such as CI's. MUTANTS_TESTS="trust caches"
# runs only the tests whose names contain one of those words (each
# mutant then costs its build and seconds of tests, not the whole suite).
# MUTANTS_TIMEOUT=60 stops a mutant's tests after 60 s (default 300): a
# loop mutated to run forever costs that much, and is caught.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo-mutants >/dev/null; then
    cargo install cargo-mutants --locked --version 27.1.0
fi
trust=(
    'src/history/**/*.rs'
    'src/rules/**/*.rs'
    'src/load/**/*.rs'
    'src/model/keys.rs'
    'src/tsa/token.rs'
    'src/tsa/certs.rs'
    'src/tsa/stamps.rs'
    'src/tsa/cache.rs'
    'src/render/reads.rs'
    'src/render/pages.rs'
)
# Which tests judge a mutant: the library's unit tests (the guard's name
# checks, the token checks) and the CLI tests. Given to cargo test here,
# before the filter's `--`: cargo-mutants puts its configuration's
# additional_cargo_test_args after these arguments, where cargo test
# would hand them to the test binaries instead.
targets=(--lib --test cli)
if [ "${1:-}" = "--in-diff" ]; then
    base=${2:?--in-diff needs a base revision}
    diff=$(mktemp)
    git diff "$base"...HEAD -- "${trust[@]/#/:(glob)}" >"$diff"
    if [ ! -s "$diff" ]; then
        echo "mutants: the change touches no trust-critical file"
        exit 0
    fi
    files=()
    for f in "${trust[@]}"; do files+=(-f "$f"); done
    where=(--copy-target=true)
    if [ "${MUTANTS_IN_PLACE:-}" = 1 ]; then where=(--in-place); fi
    exec cargo mutants --in-diff "$diff" "${files[@]}" "${where[@]}" --timeout "${MUTANTS_TIMEOUT:-300}" -- "${targets[@]}"
fi
where=(--copy-target=true)
if [ "${MUTANTS_IN_PLACE:-}" = 1 ]; then where=(--in-place); fi
filter=(-- "${targets[@]}")
if [ -n "${MUTANTS_TESTS:-}" ]; then read -ra words <<<"$MUTANTS_TESTS"; filter+=(-- "${words[@]}"); fi
files=()
if [ $# -gt 0 ]; then
    for f in "$@"; do files+=(-f "$f"); done
else
    for f in "${trust[@]}"; do files+=(-f "$f"); done
fi
exec cargo mutants "${files[@]}" "${where[@]}" --timeout "${MUTANTS_TIMEOUT:-300}" "${filter[@]}"
