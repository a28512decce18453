#!/usr/bin/env bash
# The migration's safety net (issue 20): every fixture folder, the whole
# Linux 6.12 and 6.1 trees and the bundled examples, checked with the built
# CLI in text, JSON and SARIF, into one directory per build. Two such
# directories are compared with `diff -r`: a change of analysis shows as a
# changed file.
#   bench/safety-net.sh OUTDIR            (after npm run build)
#   diff -r BEFORE AFTER
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: bench/safety-net.sh OUTDIR}
mkdir -p "$out"
cli="$PWD/dist/cli.js"
cache=${MNLINT_KERNEL_CACHE:-.cache/kernels}
run() { # name dir-or-file... (run from the repository)
  local name=$1; shift
  for f in text json; do
    node "$cli" check --no-cache -q --fail-on never --format "$f" "$@" > "$out/$name.$f" 2> "$out/$name.$f.err"
    echo "exit $?" >> "$out/$name.$f.err"
  done
}
for d in fixtures/rules/* fixtures/trees/* fixtures/examples fixtures/model test/history; do
  [ -d "$d" ] && run "$(echo "$d" | tr / _)" "$d"
done
# every fixture file on its own too: a directory scan parses only files that
# name an ops struct, a file given by name is always parsed
for f in fixtures/rules/*/*.c fixtures/examples/*.c fixtures/model/*.c test/history/*.c; do
  [ -f "$f" ] || continue
  node "$cli" check --no-cache -q --fail-on never --format text "$f" >> "$out/files.text" 2>> "$out/files.err"
done
for v in 6.12 6.1; do
  t="$cache/linux-$v"
  [ -d "$t" ] || { echo "skip linux-$v: $t missing" >&2; continue; }
  for f in text json; do
    (cd "$t" && node "$cli" check --no-cache -q --fail-on never --format "$f" .) > "$out/linux-$v.$f" 2> "$out/linux-$v.$f.err"
  done
done
echo "$(ls "$out" | wc -l) files in $out"
