#!/usr/bin/env bash
# Builds the native fixtures of the integration tests with gcc, from this directory's sources.
# usage: build.sh OUTPUT_DIR
set -euo pipefail
out=${1:?usage: build.sh OUTPUT_DIR}
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
hardening=(-O2 -fPIC -Wall -Wextra -Werror -fstack-protector-strong -D_FORTIFY_SOURCE=2 -Wl,-z,relro,-z,now)

# MTuner's client stand-in, exporting rmem's API and interposing malloc/free when preloaded.
gcc "${hardening[@]}" -shared -o "$out/libmtuner_standin.so" "$src/mtuner_standin.c" -lpthread
# The same library under an innocent name: only its symbols give it away.
cp "$out/libmtuner_standin.so" "$out/libcompress-helper.so"
echo "native fixtures built in $out"
