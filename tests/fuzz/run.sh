#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS: builds every libFuzzer target (tests/fuzz/fuzz_*.c, with clang,
# ASan and UBSan) and runs each for SECONDS, starting from its seed corpus tests/fuzz/corpus/NAME.
set -eu
secs=${1:-60}
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
out=build-fuzz
shopt -s nullglob
targets=(tests/fuzz/fuzz_*.c)
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets"; exit 0; }
make -s BUILD=$out CC=clang CFLAGS='-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link' \
     SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' $out/libfundwatch.a
deps="$(pkg-config --libs sqlite3 ncursesw xlsxwriter nettle) -liniparser -lcsv -lm"
for t in "${targets[@]}"; do
    name=$(basename "$t" .c)
    clang -std=c11 -D_GNU_SOURCE -g -O1 -I. -I/usr/include/iniparser \
          -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
          -o "$out/$name" "$t" "$out/libfundwatch.a" $deps
    corpus="tests/fuzz/corpus/${name#fuzz_}"
    work=$(mktemp -d)
    [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
    echo "fuzzing $name for ${secs}s"
    "$out/$name" -max_total_time="$secs" -max_len=65536 -print_final_stats=1 "$work" 2>&1 | tail -n 5
    rm -rf "$work"
done
