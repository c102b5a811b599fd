#!/usr/bin/env bash
# tests/fuzz/fuzz.sh — seeded command-line fuzzer for slt (docs/testing.md).
#
# usage: tests/fuzz/fuzz.sh --slt BIN [--slt BIN2 ...] [--count N] [--seed S]
#                           [--timeout SEC] [--jobs J] [--out DIR] [--quiet]
#
# Builds command lines from every subcommand's option table (parsed from `slt CMD
# --help`, which the same table generates): boundary numbers, malformed lists, bad files
# and combinations of flags, on top of a mostly valid base command so that the solvers
# are reached. Every command line runs against each --slt binary (the normal and the
# sanitized build) with a timeout, and fails on: a signal or crash, a sanitizer report,
# a timeout, an exit code outside 0..3 (4 = internal error), or a table that breaks the
# `ok` rule (tests/fuzz/check-output.awk). Prints counts by outcome and writes each
# failing command line, one per line, shell-quoted, to DIR/failures.txt (with the
# reason in DIR/failures-detail.txt). Exit 0 when nothing failed, 1 otherwise.
#
# Sizes are capped so that every legitimate run finishes in well under the timeout:
# N, P <= 300 and M <= 2000 for slt mc (the generator always passes --M for power laws),
# M <= 10000 for static, dmft and loss (--M, the truncated power law),
# trials <= 20, lmax <= 40, empirical <= 300, list counts <= 7, ensemble <= 8 (mc),
# batch <= 64 (mc), n-test <= 500; values above a cap are only generated when they
# are outside the option's range (usage errors, which return at once).
set -u

here=$(cd "$(dirname "$0")" && pwd)
bins=()
count=200
seed=1
timeout_s=10
jobs=2
out=""
quiet=0
while [ $# -gt 0 ]; do
  case $1 in
    --slt) bins+=("$2"); shift 2 ;;
    --count) count=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --quiet) quiet=1; shift ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fuzz.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ ${#bins[@]} -gt 0 ] || { echo "fuzz.sh: give at least one --slt BIN" >&2; exit 2; }
for b in "${bins[@]}"; do
  [ -x "$b" ] || { echo "fuzz.sh: $b is not an executable" >&2; exit 2; }
done
for i in "${!bins[@]}"; do bins[$i]=$(cd "$(dirname "${bins[$i]}")" && pwd)/$(basename "${bins[$i]}"); done
[ -n "$out" ] || out=$(mktemp -d "${TMPDIR:-/tmp}/slt-fuzz.XXXXXX")
rm -rf "$out/runs"
mkdir -p "$out/files" "$out/runs"
: > "$out/failures.txt"
: > "$out/failures-detail.txt"
slt=${bins[0]}

# Sanitizer reports: leaks on, every report fatal, distinctive exit codes; the report
# text is also searched for in stderr.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=86:hard_rss_limit_mb=3000:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=87"
export LSAN_OPTIONS="exitcode=88"
export OMP_NUM_THREADS=1

# ---- files the generator hands to --task, --table, --battery, ... ------------------
F=$out/files
{ echo "# valid explicit task"; for k in 1 2 3 4 5 6 7 8 9 10 11 12; do
    awk -v k=$k 'BEGIN { printf "%.17g %.17g\n", k ^ -1.5, k ^ -2.2 }'; done; } > "$F/valid.task"
: > "$F/empty"
printf '1 1\n0.5 0.25' > "$F/no-newline.task"
printf '1 1\n0.5\0 0.25\n0.25 0.1\n' > "$F/nul.task"
printf '1 1\r\n0.5 0.25\r\n0.25 0.0625\r\n' > "$F/crlf.task"
printf '\xef\xbb\xbf1 1\n0.5 0.25\n' > "$F/bom.task"
printf '1e308 1e308\n1e307 1e308\n' > "$F/huge.task"
printf '1e-320 1e-320\n5e-324 5e-324\n' > "$F/tiny.task"
printf '1 1 # trailing comment\n0.5 0.25\n' > "$F/comment.task"
printf '0.5 1\n1 1\n' > "$F/increasing.task"
printf '1 -1\n-0.5 0.25\n' > "$F/negative.task"
printf '1 nan\ninf 1\n' > "$F/nan.task"
printf '1 0\n0.5 0\n' > "$F/zero-target.task"
printf '1 1\n' > "$F/one-mode.task"
printf 'lambda target\nhello world\n' > "$F/garbage.task"
printf '1 1 1\n0.5\n' > "$F/columns.task"
awk 'BEGIN { for (i = 0; i <= 200; i++) { t = -1 + 2 * i / 200; printf "%.17g %.17g\n", t, exp(t) } }' > "$F/valid.table"
awk 'BEGIN { for (i = 0; i <= 100; i++) { d = 3.141592653589793 * i / 100; printf "%.17g %.17g\n", d, exp(-d) } }' > "$F/valid-torus.table"
printf 'quick loss rf 1.5 0.7 inf inf 1:100:3 0 0 - 0 1 - 1 1\n' > "$F/valid.battery"
printf '# only comments\n\n' > "$F/comments.battery"
printf 'quick dmft rf 1.5 0.7 10 20\n' > "$F/short.battery"
printf 'quick nosuch rf 1.5 0.7 10 20 1 0 0 - 0 1 - 1 1\n' > "$F/badname.battery"
mkdir -p "$F/a-directory"
in_files=("$F/valid.task" "$F/empty" "$F/no-newline.task" "$F/nul.task" "$F/crlf.task"
  "$F/bom.task" "$F/huge.task" "$F/tiny.task" "$F/comment.task" "$F/increasing.task"
  "$F/negative.task" "$F/nan.task" "$F/zero-target.task" "$F/one-mode.task"
  "$F/garbage.task" "$F/columns.task" "$F/valid.table" "$F/valid-torus.table"
  "$F/a-directory" "$F/does-not-exist" /dev/null /dev/zero "")
task_files=("$F/valid.task" "$F/valid.task" "$F/valid.task" "${in_files[@]}")
battery_files=("$F/valid.battery" "$F/empty" "$F/comments.battery" "$F/short.battery"
  "$F/badname.battery" "$F/garbage.task" "$F/nul.task" /dev/zero "$F/does-not-exist")
out_files=("$F/saved.out" /dev/full "$F/no/such/dir/x" "$F/a-directory" -)

# ---- the option tables, from --help ------------------------------------------------
commands=(exponents loss spectrum static dmft mc crosscheck)
declare -A KIND LO HI LOOPEN HIOPEN INF CHOICES OPTS
for c in "${commands[@]}"; do
  names=()
  while IFS= read -r line; do
    [[ $line =~ ^\ \ --([a-zA-Z0-9-]+)(\ ([^\ ]+))?\ \ +(.*)$ ]] || continue
    name=${BASH_REMATCH[1]}; meta=${BASH_REMATCH[3]}; rest=${BASH_REMATCH[4]}
    [ "$name" = format ] && continue
    range=""
    [[ $rest =~ \[([^]]*)\]$ ]] && range=${BASH_REMATCH[1]}
    key=$c:$name
    LO[$key]=-inf; HI[$key]=inf; LOOPEN[$key]=0; HIOPEN[$key]=0; INF[$key]=0
    [[ $range == *"or inf"* ]] && INF[$key]=1
    range=${range%, or inf}
    if [ -z "$meta" ]; then KIND[$key]=flag
    elif [[ $range == *"|"* ]]; then KIND[$key]=choice; CHOICES[$key]=$range
    elif [[ $meta == FILE ]]; then KIND[$key]=file
    elif [[ $meta == LIST || $range == LIST* || $range == whole* ]]; then KIND[$key]=list
    else KIND[$key]=num
    fi
    range=${range#whole }
    if [[ $range =~ ^([-0-9.e+]+)\ (\<|\<=)\ [^\ ]+\ (\<|\<=)\ ([-0-9.e+]+)$ ]]; then
      LO[$key]=${BASH_REMATCH[1]}; HI[$key]=${BASH_REMATCH[4]}
      [ "${BASH_REMATCH[2]}" = "<" ] && LOOPEN[$key]=1
      [ "${BASH_REMATCH[3]}" = "<" ] && HIOPEN[$key]=1
    elif [[ $range =~ ^[^\ ]+\ (\>|\>=)\ ([-0-9.e+]+)$ ]]; then
      LO[$key]=${BASH_REMATCH[2]}
      [ "${BASH_REMATCH[1]}" = ">" ] && LOOPEN[$key]=1
    fi
    names+=("$name")
  done < <("$slt" "$c" --help)
  OPTS[$c]="${names[*]}"
  [ ${#names[@]} -gt 0 ] || { echo "fuzz.sh: no options parsed from '$slt $c --help'" >&2; exit 2; }
done

# ---- the generator -------------------------------------------------------------------
RANDOM=$seed
pick() { local -n _arr=$1; REPLY=${_arr[RANDOM % ${#_arr[@]}]}; }
chance() { [ $((RANDOM % 100)) -lt "$1" ]; }

# Caps: the largest valid value generated for a size-like option (by command:name).
cap_of() {
  case $1 in
    mc:N|mc:P) echo 300 ;; mc:M) echo 2000 ;; mc:trials) echo 20 ;; mc:ensemble) echo 8 ;;
    mc:batch) echo 64 ;; mc:n-test) echo 500 ;; mc:threads) echo 2 ;;
    mc:first-trial) echo 1000 ;; mc:t) echo 1000 ;; mc:steps|dmft:steps) echo 1000 ;;
    spectrum:dim) [ "$torus" = 1 ] && echo 2 || echo inf ;;
    spectrum:lmax) echo 40 ;; spectrum:empirical) echo 300 ;; spectrum:repeats) echo 3 ;;
    spectrum:poly-degree) echo 50 ;;
    static:modes) echo 1000 ;; static:S|static:M|dmft:M|loss:M) echo 10000 ;;
    crosscheck:threads) echo 2 ;;
    *) echo inf ;;
  esac
}

boundary=(0 -0 -1 1 2 0.5 1e-300 1e-320 4.9e-324 1e-15 1e300 1.7976931348623157e308 1e999
  -1e999 inf -inf nan NaN "" " 2" "2 " 1e 0x10 1,5 1.5.2 +1 2.5 1e-8 12 100 0.999999999999999
  1.000000000000001)

# A number for option key (command:name): in range most of the time, else a boundary.
# Values above the option's cap are replaced unless they are out of range.
gen_num() {
  local key=$1 lo=${LO[$1]} hi=${HI[$1]} cap v
  # drawn here, in this shell: a $(...) subshell reseeds $RANDOM, which would make the
  # cases depend on more than --seed
  local r1=$RANDOM r2=$RANDOM
  cap=$(cap_of "$key")
  if chance "$typical"; then
    v=$(awk -v lo="$lo" -v hi="$hi" -v cap="$cap" -v r=$r1 -v r2=$r2 'BEGIN {
      if (lo == "-inf") lo = -10; if (hi == "inf") hi = 1e3; if (cap != "inf" && hi > cap) hi = cap
      if (lo <= 0) { v = lo + (hi - lo) * r / 32768 } else { v = exp(log(lo) + (log(hi) - log(lo)) * r / 32768) }
      if (r2 % 3 == 0) v = int(v + 0.5); if (v <= lo) v = lo + (hi - lo) / 3
      printf "%.6g", v }')
  else
    case $((RANDOM % 6)) in
      0) v=$lo ;;
      1) v=$hi ;;
      2) v=$(awk -v lo="$lo" -v r=$r1 'BEGIN { if (lo == "-inf") lo = 0; d = (r % 2) ? 1e-15 : -1e-15; printf "%.17g", lo == 0 ? d : lo * (1 + d) }') ;;
      3) v=$(awk -v hi="$hi" -v r=$r1 'BEGIN { if (hi == "inf") hi = 1e308; d = (r % 2) ? 1e-15 : -1e-15; printf "%.17g", hi * (1 + d) }') ;;
      *) pick boundary; v=$REPLY ;;
    esac
    # keep run times bounded: a valid value above the cap becomes the cap
    if [ "$cap" != inf ]; then
      v=$(awk -v v="$v" -v lo="$lo" -v hi="$hi" -v cap="$cap" 'BEGIN {
        x = v + 0; ok = (v ~ /^[-+]?[0-9.]+([eE][-+]?[0-9]+)?$/)
        if (ok && x > cap && (hi == "inf" || x <= hi + 0)) print cap; else print v }')
    fi
  fi
  REPLY=$v
}

list_bad=("1,,2" "," "1," ",1" "10:1:0" "10:1:3" "1:10" "1:10:3:4" "1e999" "1:inf:3" "nan"
  "" "10:1e4:4" "1:1e4:4" "0:10:3" "-1,2" "1:10:-1" "1:10:1.5" "1:10:1e30" "a:b:c" "1:10:3:foo" "0:1:1e13:lin"
  "1e-320:1:3" "1:1:3" "inf,inf" "1,inf,1")
gen_list() {
  local key=$1 a b n cap
  cap=$(cap_of "$key")
  case $((RANDOM % 7)) in
    0|1|5) gen_num "$key" ;;
    2) gen_num "$key"; a=$REPLY; gen_num "$key"; REPLY="$a,$REPLY" ;;
    3) gen_num "$key"; a=$REPLY; gen_num "$key"; b=$REPLY
       n=(1 2 3 4 7 0); REPLY="$a:$b:${n[RANDOM % 6]}" ;;
    4) if [ "${INF[$key]}" = 1 ]; then REPLY=inf; else gen_num "$key"; fi ;;
    *) if chance "$typical"; then gen_num "$key"; else pick list_bad; fi ;;
  esac
  # log-spaced ranges can reach past a cap: keep the end points of capped lists small
  if [ "$cap" != inf ] && [[ $REPLY == *:*:* ]]; then
    REPLY=$(awk -v s="$REPLY" -v cap="$cap" 'BEGIN { n = split(s, p, ":")
      if (n == 3 && p[1] ~ /^[0-9.e+-]+$/ && p[2] ~ /^[0-9.e+-]+$/ && (p[1] + 0 > cap || p[2] + 0 > cap)) {
        if (p[1] + 0 > cap) p[1] = 1; if (p[2] + 0 > cap) p[2] = cap; s = p[1] ":" p[2] ":" p[3] }
      print s }')
  fi
}

# The value of option key, by its kind. Sets REPLY; returns 1 for a flag (no value).
gen_value() {
  local key=$1
  case ${KIND[$key]} in
    flag) return 1 ;;
    choice) local IFS='|'; local ch=(${CHOICES[$key]}); unset IFS
            if chance 90; then REPLY=${ch[RANDOM % ${#ch[@]}]}; else REPLY=bogus; fi ;;
    file) case ${key#*:} in
            save) pick out_files ;;
            battery) pick battery_files ;;
            task) pick task_files ;;
            *) pick in_files ;;
          esac ;;
    list) gen_list "$key" ;;
    *) gen_num "$key" ;;
  esac
  return 0
}

args=()
add_opt() { # command name: append --name [value]
  local key=$1:$2
  [ -n "${KIND[$key]:-}" ] || { args+=("--$2"); return; }
  if gen_value "$key"; then args+=("--$2" "$REPLY"); else args+=("--$2"); fi
}

alphas=(1.02 1.05 1.1 1.3 1.5 2 4 8)
betas=(0.05 0.3 0.5 1 1.7 4 12)
gen_task() { # c
  local c=$1 r=$((RANDOM % 100))
  if [ $r -lt 60 ]; then
    pick alphas; args+=(--alpha "$REPLY"); pick betas; args+=(--beta "$REPLY")
    chance 15 && add_opt "$c" alpha
    chance 15 && add_opt "$c" beta
  elif [ $r -lt 70 ]; then
    case $((RANDOM % 4)) in
      0) add_opt "$c" a; add_opt "$c" b ;;
      1) add_opt "$c" alpha-K ;;
      2) add_opt "$c" alpha-MRS ;;
      3) add_opt "$c" alpha-P; add_opt "$c" beta-P ;;
    esac
  elif [ $r -lt 92 ] && [ "$c" != exponents ]; then
    add_opt "$c" task
  else
    add_opt "$c" alpha   # incomplete or conflicting
    chance 50 && add_opt "$c" task
  fi
}

gen_case() {
  local c r o opts
  pick commands; c=$REPLY
  torus=0
  typical=85   # the base command: mostly valid values, so that the solvers are reached
  args=("$c")
  case $c in
    exponents) gen_task "$c" ;;
    loss) gen_task "$c"; chance 70 && add_opt "$c" t ;;
    static) gen_task "$c"; add_opt "$c" P; chance 60 && add_opt "$c" N ;;
    dmft) gen_task "$c"; add_opt "$c" N; add_opt "$c" P; add_opt "$c" t ;;
    mc) if chance 20; then
          args+=(--model kernel); add_opt "$c" dim; add_opt "$c" kernel; add_opt "$c" P
        else
          r=(rf rf rf ridge krr sgd); args+=(--model "${r[RANDOM % 6]}")
          gen_task "$c"; add_opt "$c" N; add_opt "$c" P
          chance 60 && add_opt "$c" t
          [[ " ${args[*]} " == *" --task "* ]] || args+=(--M $(( (RANDOM % 20 + 1) * 100 )))
        fi
        args+=(--trials $((RANDOM % 5 + 1)) --threads 1) ;;
    spectrum) add_opt "$c" kernel; args+=(--lmax $((RANDOM % 41)))
              if chance 30; then torus=1; args+=(--domain torus --dim $((RANDOM % 2 + 1))); fi ;;
    crosscheck) add_opt "$c" battery; args+=(--threads 1) ;;
  esac
  # 0..4 more options from the table, any of them (another task letter only rarely:
  # it is a usage error), each value valid 60 % of the time
  typical=60
  read -r -a opts <<< "${OPTS[$c]}"
  for ((r = RANDOM % 5; r > 0; r--)); do
    o=${opts[RANDOM % ${#opts[@]}]}
    [ "$o" = help ] && continue
    [[ " alpha beta a b alpha-K alpha-MRS alpha-P beta-P task " == *" $o "* ]] && ! chance 15 && continue
    add_opt "$c" "$o"
  done
  chance 2 && args+=(--no-such-option)
  chance 2 && args+=(stray-positional)
  chance 2 && args+=(--help)
  if chance 5; then r=(table json tsv markdown latex bogus); args+=(--format "${r[RANDOM % 6]}")
  else args+=(--format csv); fi
}

# ---- running one case -----------------------------------------------------------------
# Writes runs/ID.res: one line per binary, "CLASS rows_ok rows_failed rc detail".
run_case() {
  local id=$1 line=$2 bin c rc class detail tmo help csv res a task=0 ens=0 prev="" label
  local -a argv
  eval "argv=($line)"
  c=${argv[0]}
  help=0; csv=1
  for a in "${argv[@]}"; do
    [ "$a" = --help ] && help=1 && csv=0
    [ "$a" = --task ] && task=1
    # dmft ensembles do not compute the train loss (documented: nan, not computed)
    [ "$prev" = --ensemble ] && [ "$c" = dmft ] && ens=1
    prev=$a
  done
  [[ " ${argv[*]} " == *" --format csv "* ]] || csv=0
  [ "${argv[${#argv[@]}-1]}" = csv ] || csv=0
  : > "$out/runs/$id.res"
  for bin in "${bins[@]}"; do
    tmo=$timeout_s
    label=normal; [[ $bin == *asan* ]] && label=sanitized
    [[ $bin == *asan* ]] && tmo=$((timeout_s * 4))
    ( cd "$out/files" && ulimit -c 0 && \
      if [[ $bin != *asan* ]]; then ulimit -v 4000000; fi && \
      exec timeout -k 2 "$tmo" "$bin" "${argv[@]}" ) \
      > "$out/runs/$id.out" 2> "$out/runs/$id.err" < /dev/null
    rc=$?
    class=""; detail=""
    if grep -qE 'Sanitizer|runtime error:|LeakSanitizer' "$out/runs/$id.err"; then
      class=FAIL-sanitizer
      detail=$(grep -m1 -E 'ERROR: |runtime error:|Sanitizer:' "$out/runs/$id.err" | cut -c1-200)
    elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then class=FAIL-timeout; detail="no answer in ${tmo} s"
    elif [ $rc -gt 128 ]; then class=FAIL-signal; detail="signal $((rc - 128))"
    elif [ $rc -ge 4 ]; then class=FAIL-exit$rc; detail=$(head -c 200 "$out/runs/$id.err" | tr '\n' ' ')
    fi
    res=$(awk -v rc=$rc -v cmd="$c" -v help=$help -v task=$task -v ens=$ens -f "$here/check-output.awk" "$out/runs/$id.out" 2>&1)
    local rows; rows=$(printf '%s\n' "$res" | awk '/^rows / { print $2, $3 }')
    [ "$csv" = 1 ] || rows="0 0"
    if [ -z "$class" ] && [ "$csv" = 1 ] && printf '%s\n' "$res" | grep -q '^bad'; then
      class=FAIL-table; detail=$(printf '%s\n' "$res" | grep -m2 '^bad' | tr '\n' ' ')
    fi
    if [ -z "$class" ]; then
      case $rc in 0) class=exit0 ;; 1) class=exit1-numerical ;; 2) class=exit2-usage ;; 3) class=exit3-io ;; esac
    fi
    printf '%s %s %s %s\n' "$class" "${rows:-0 0}" "$rc" "$label ${detail}" >> "$out/runs/$id.res"
  done
  rm -f "$out/runs/$id.out" "$out/runs/$id.err"
}

# ---- main -------------------------------------------------------------------------------
cases=$out/cases.txt
: > "$cases"
for ((i = 1; i <= count; i++)); do
  gen_case
  printf '%q ' "${args[@]}" >> "$cases"; echo >> "$cases"
done

start=$SECONDS
i=0
while IFS= read -r line; do
  i=$((i + 1))
  run_case "$i" "$line" &
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  if [ $quiet = 0 ] && [ $((i % 100)) -eq 0 ]; then echo "fuzz: $i/$count cases ($((SECONDS - start)) s)" >&2; fi
done < "$cases"
wait

# ---- summary ----------------------------------------------------------------------------
nfail=0
i=0
while IFS= read -r line; do
  i=$((i + 1))
  if grep -q '^FAIL' "$out/runs/$i.res"; then
    nfail=$((nfail + 1))
    printf 'slt %s\n' "$line" >> "$out/failures.txt"
    { printf 'slt %s\n' "$line"; grep '^FAIL' "$out/runs/$i.res" | sed 's/^/    /'; } >> "$out/failures-detail.txt"
  fi
done < "$cases"
cat "$out"/runs/*.res > "$out/results.txt"
rm -rf "$out/runs"
awk -v cases=$count -v nb=${#bins[@]} -v secs=$((SECONDS - start)) -v nfail=$nfail '
  { n[$1 (nb > 1 ? " (" $5 ")" : "")]++; ok += $2; bad += $3; runs++ }
  END {
    printf "fuzz: %d cases x %d builds = %d runs in %d s; rows: %d ok, %d failure status\n", cases, nb, runs, secs, ok, bad
    for (k in n) printf "   %-20s %d\n", k, n[k] | "sort"
    close("sort")
    printf "fuzz: %d failing command lines\n", nfail
  }' "$out/results.txt"
if [ $nfail -gt 0 ]; then
  echo "fuzz: failing command lines in $out/failures.txt (details: $out/failures-detail.txt)"
  exit 1
fi
exit 0
