#!/usr/bin/env bash
# libslt.so exports exactly its public interface: every symbol it exports is an slt_
# name declared SLT_API in include/slt/*.h, every such declaration is exported, and
# every declaration in those headers carries SLT_API (include/slt/export.h). The
# internals (dmft_*, kn_*, mc_*, statics_*, ...) stay hidden.
# usage: bash tests/cli/symbols.sh path/to/slt   (the library is $SLT_BUILD/lib/libslt.so)
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${SLT_BUILD:-build}
so=$build/lib/libslt.so
hdrs=("$root"/include/slt/*.h)

if [ ! -f "$so" ]; then fail "$so not found (make all builds it)"; finish; exit 1; fi
exported=$(nm -D --defined-only "$so" | awk '{print $NF}' | sort -u)
declared=$(grep -ho 'SLT_API[^(;]*\bslt_[a-z0-9_]*' "${hdrs[@]}" | grep -o 'slt_[a-z0-9_]*$' | sort -u)
n_exported=$(echo "$exported" | grep -c .)
n_declared=$(echo "$declared" | grep -c .)

foreign=$(echo "$exported" | grep -v '^slt_')
if [ -z "$foreign" ]; then
  pass "libslt.so exports only slt_ names ($n_exported symbols)"
else
  fail "libslt.so exports $(echo "$foreign" | wc -l) non-slt_ symbols: $(echo $foreign | head -c 400)"
fi

missing=$(comm -23 <(echo "$declared") <(echo "$exported"))
[ -z "$missing" ] && pass "every SLT_API declaration ($n_declared) is exported" \
  || fail "declared SLT_API but not exported: $(echo $missing)"

extra=$(comm -13 <(echo "$declared") <(echo "$exported") | grep '^slt_')
[ -z "$extra" ] && pass "every exported slt_ symbol is declared SLT_API in include/slt" \
  || fail "exported but not declared SLT_API in include/slt: $(echo $extra)"

# A declaration (function or variable) starts in column 0 in these headers; one without
# SLT_API would compile and link statically but be missing from libslt.so.
unmarked=$(grep -nE '^[A-Za-z_].*\bslt_[a-z0-9_]+ *(\(|;|\[)' "${hdrs[@]}" \
           | grep -Ev '^[^:]*:[0-9]+:(SLT_API |typedef |extern "C")')
[ -z "$unmarked" ] && pass "every function and variable declared in include/slt carries SLT_API" \
  || fail "declarations without SLT_API: ${unmarked//$root\//}"

# The library keeps a per-thread quadrature workspace under a pthread key whose destructor
# lives in the library: it must never be unmapped (dlclose) while threads may still exit.
if readelf -d "$so" 2>/dev/null | grep -q 'NODELETE'; then
  pass "libslt.so is linked -z nodelete (per-thread caches outlive dlclose)"
else
  fail "libslt.so lacks the NODELETE flag: a thread exiting after dlclose would call an unmapped destructor"
fi

finish
