#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS: builds every libFuzzer target (tests/fuzz/fuzz_*.c, found by wildcard,
# with clang, ASan and UBSan, and the Makefile's dependency flags) and runs each for SECONDS,
# starting from its seed corpus tests/fuzz/corpus/NAME plus what earlier runs found (kept in
# build-fuzz/corpus/NAME). Exits non-zero when a target crashes, leaks or times out; the input that did it is saved in build-fuzz/artifacts/ and its
# path printed. Reproduce with: build-fuzz/fuzz_NAME build-fuzz/artifacts/crash-...
set -euo pipefail
secs=${1:-60}
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
out=build-fuzz
shopt -s nullglob
targets=(tests/fuzz/fuzz_*.c)
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets"; exit 0; }
make -s BUILD=$out CC=clang CFLAGS='-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link' \
     SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' $out/libfundwatch.a
cflags=$(make -s --no-print-directory print-dep-cflags)
deps=$(make -s --no-print-directory print-dep-libs)
mkdir -p "$out/artifacts"
status=0
for t in "${targets[@]}"; do
    name=$(basename "$t" .c)
    # shellcheck disable=SC2086 # the flags are words
    clang -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -I. $cflags \
          -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
          -o "$out/$name" "$t" "$out/libfundwatch.a" $deps
    seeds="tests/fuzz/corpus/${name#fuzz_}"
    work="$out/corpus/${name#fuzz_}"
    mkdir -p "$work"
    log="$out/$name.log"
    echo "fuzzing $name for ${secs}s"
    # New inputs go to $work; the seeds are read only. -timeout catches hangs (one input > 25 s).
    if "$out/$name" -max_total_time="$secs" -max_len=65536 -timeout=25 -rss_limit_mb=2048 \
         -artifact_prefix="$out/artifacts/$name-" -print_final_stats=1 \
         "$work" $( [ -d "$seeds" ] && echo "$seeds" ) >"$log" 2>&1; then
        grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || tail -n 3 "$log"
    else
        status=1
        echo "FAIL $name (full log: $log)"
        grep -E -A 30 'ERROR: |==ERROR|runtime error|Test unit written' "$log" | head -n 60
    fi
done
exit $status
