#!/usr/bin/env bash
# Regenerates the fuzzer's seed corpus, utils/fuzz/corpus/, from the .nn
# files of examples/, std/ and test/: one seed per file, named after its
# path (examples/cuba.nn -> examples-cuba.nn). The fuzz target cannot read
# imported files, so an import that resolves (next to the importing file,
# then in the repository root, where std/ lives) is replaced by the text
# of the imported file, placed first as the front end orders imported
# declarations, each file once; an import that does not resolve stays.
# Files larger than 32 KB are left out.
#
#   utils/fuzz/make-corpus.sh [OUT_DIR]     (default utils/fuzz/corpus)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/utils/fuzz/corpus}"
max_bytes=32768
import_re='^[[:space:]]*import[[:space:]]+"([^"]+)"[[:space:]]*;'

declare -A seen

# resolve FILE PATH: where `import "PATH";` in FILE leads, or nothing.
resolve() {
  local dir
  dir="$(dirname "$1")"
  if [ -f "$dir/$2" ]; then
    realpath "$dir/$2"
  elif [ -f "$root/$2" ]; then
    realpath "$root/$2"
  fi
}

# inline FILE: the files FILE imports (recursively, each once), then FILE
# without the imports that were inlined.
inline() {
  local file="$1" line target
  seen["$file"]=1
  while IFS= read -r line || [ -n "$line" ]; do
    [[ "$line" =~ $import_re ]] || continue
    target="$(resolve "$file" "${BASH_REMATCH[1]}")"
    if [ -n "$target" ] && [ -z "${seen[$target]+x}" ]; then
      echo "// ---- ${target#"$root"/} (inlined by utils/fuzz/make-corpus.sh)"
      inline "$target"
    fi
  done < "$file"
  if [ "$file" = "$seed_file" ] && [ ${#seen[@]} -gt 1 ]; then
    echo "// ---- ${file#"$root"/}"
  fi
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ "$line" =~ $import_re ]] &&
       [ -n "$(resolve "$file" "${BASH_REMATCH[1]}")" ]; then
      continue
    fi
    printf '%s\n' "$line"
  done < "$file"
}

rm -rf "$out"
mkdir -p "$out"
cd "$root"
count=0
while IFS= read -r file; do
  [ "$(stat -c %s "$file")" -le "$max_bytes" ] || continue
  seen=()
  seed_file="$(realpath "$file")"
  inline "$seed_file" > "$out/${file//\//-}"
  count=$((count + 1))
done < <(find examples std test -name '*.nn' | LC_ALL=C sort)
echo "make-corpus: $count seeds in ${out#"$root"/} ($(cat "$out"/* | wc -c) bytes)"
