#!/usr/bin/env bash
# Rebuilds .cache/releases/<version>/ (full source trees) from the snapshots
# that bench/releases/manifest.json names, fetched into the mirror
# ($MNLINT_MIRROR, else the manifest's "mirror") by the `fetch` tool. A tree
# whose .release stamp names the manifest's commit is kept; anything else is
# unpacked afresh with `git archive`. Nothing here reaches the network.
#   bench/releases/build-cache.sh [versions...]     (default: every fetched release)
# Exit 2, with one line, when a snapshot is missing or lacks the commit.
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=${MNLINT_RELEASE_CACHE:-.cache/releases}
mkdir -p "$cache"
list=$(npx tsx bench/releases/manifest.ts "$@") || exit 2
while IFS=$'\t' read -r version gitdir commit subdir makefile fetch; do
  [ -n "$version" ] || continue
  if [ ! -d "$gitdir" ]; then
    echo "build-cache.sh: release $version: no snapshot at $gitdir: run the fetch tool with $fetch" >&2
    exit 2
  fi
  if ! git --git-dir="$gitdir" cat-file -e "$commit^{commit}" 2>/dev/null; then
    echo "build-cache.sh: release $version: $gitdir lacks commit $commit: run the fetch tool with $fetch again" >&2
    exit 2
  fi
  dest="$cache/$version"
  stamp="$commit ${subdir} $makefile"
  if [ -f "$dest/.release" ] && [ "$(cat "$dest/.release")" = "$stamp" ]; then
    echo "$version: up to date ($dest)"
    continue
  fi
  tree=$commit
  [ "$subdir" = - ] || tree="$commit:$subdir"
  tmp="$cache/.$version.tmp"
  rm -rf "$tmp" "$tmp".*
  mkdir -p "$tmp"
  # a snapshot lacks files of 4 MiB and more (generated register headers):
  # they are left out of the archive and named in .missing
  git --git-dir="$gitdir" ls-tree -r --format='%(objectname) %(path)' "$tree" > "$tmp.list"
  cut -d' ' -f1 "$tmp.list" | git --git-dir="$gitdir" cat-file --batch-check='%(objectname) %(objecttype)' | awk '$2 == "missing" { print $1 }' > "$tmp.gone"
  awk 'NR == FNR { gone[$1] = 1; next } ($1 in gone) { sub(/^[^ ]+ /, ""); print }' "$tmp.gone" "$tmp.list" > "$tmp.missing"
  excludes=()
  while IFS= read -r path; do excludes+=(":(exclude,literal)$path"); done < "$tmp.missing"
  # (git names each left-out blob on stderr even so: shown only on failure)
  if ! git --git-dir="$gitdir" archive --format=tar "$tree" -- . "${excludes[@]}" 2> "$tmp.err" | tar -x -C "$tmp"; then
    cat "$tmp.err" >&2
    exit 1
  fi
  rm -f "$tmp.err"
  mv "$tmp.missing" "$tmp/.missing"
  rm -f "$tmp.list" "$tmp.gone"
  got=$(sed -n -E 's/^(VERSION|PATCHLEVEL|SUBLEVEL) = ([0-9]+)$/\2/p' "$tmp/Makefile" | head -3 | paste -sd.)
  got=${got%.0}$(sed -n -E 's/^EXTRAVERSION = (-rc[0-9]+)$/\1/p' "$tmp/Makefile" | head -1)
  want=${makefile/.0-rc/-rc}
  want=${want%.0}
  if [ "$got" != "$want" ]; then
    echo "build-cache.sh: release $version: the Makefile of $commit says $got, the manifest $makefile" >&2
    rm -rf "$tmp"
    exit 2
  fi
  echo "$stamp" > "$tmp/.release"
  rm -rf "$dest"
  mv "$tmp" "$dest"
  where=$commit
  [ "$subdir" = - ] || where="$commit:$subdir"
  echo "$version: $(find "$dest" -type f | wc -l) files from $fetch $where"
done <<< "$list"
