# tests/fuzz/check-output.awk — judges one `slt ... --format csv` run for tests/fuzz/fuzz.sh.
#
# Input: the run's stdout (CSV). Variables: rc (exit code), cmd (subcommand), task (1 when
# --task was given), ens (1 for slt dmft with --ensemble: its train loss is not computed
# and is nan by design), help (1 when
# --help was given). Prints one line: "rows OK FAILED" followed by zero or more lines
# "bad REASON" (the first few problems found). The rules (docs/testing.md):
#   - exit 0: every row's status is ok, 'ok (near edge)' (dmft: computed, but a finite
#     model may sit beyond the stability edge), 'divergent' with the loss +inf (the
#     ridgeless N = P pole: the answer is infinity), or, for slt spectrum, zero (an
#     eigenvalue that is exactly 0, e.g. ReLU parity zeros);
#   - an ok row (or any row of a table without a status column): loss-like columns are
#     finite and >= 0; error and standard-error columns are >= 0 or nan (not computed);
#     a value next to a nan error is not within an error estimate; exponent columns of
#     tables without a status column (exponents, spectrum --fit) are >= 0 or nan;
#     the time-dependent losses (dmft, loss) of a power-law task (no --task) are not
#     exactly 0 with a 0 error at a finite time: a power law decays like t^-beta, so an
#     exact 0 is a zeroed buffer (an explicit task may underflow to 0 legitimately);
#   - a row with a failure status: its loss-like values are nan (or +inf for a
#     `divergent` / `result diverges` point, the pole's documented value).
# Columns that may be negative: slopes and local exponents (slope*, *_slope*, res_slope*,
# local_slope), gaps (width_gap, generalization_gap), coefficients (coef_*), eigenvalue
# (an indefinite table kernel), alpha_K, and the row labels (N, P, t, degree, ...);
# asymptote (slt loss: the large-t formula, +inf at t = 0) is not checked.

function split_csv(line, out,    n, i, c, field, inq) {
    n = 0; field = ""; inq = 0
    for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (inq) {
            if (c == "\"") {
                if (substr(line, i + 1, 1) == "\"") { field = field "\""; i++ }
                else inq = 0
            } else field = field c
        } else if (c == "\"") inq = 1
        else if (c == ",") { out[++n] = field; field = "" }
        else field = field c
    }
    out[++n] = field
    return n
}
function isnan_s(s) { s = tolower(s); return s == "nan" || s == "-nan" || s == "null" }
function isinf_s(s) { s = tolower(s); return s == "inf" || s == "-inf" || s == "+inf" || s == "infinity" || s == "-infinity" }
function isnum(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
function bad(reason) { if (nbad < 5) print "bad " reason; nbad++ }
function losslike(name) {
    return name ~ /^(test|train|loss|L_width|L_data|L_floor|kappa|tail_mass)$/
}
function errlike(name) { return name ~ /_(err|se)$/ }
function exponentlike(name) {
    return name ~ /^(lazy|rich|s|alpha|resolution_N|resolution_P|beta)$/
}
function check_ok_row(row, f, nf,    i, name, v, e) {
    for (i = 1; i <= nf && i <= ncol; i++) {
        name = col[i]; v = f[i]
        if (ens && (name == "train" || name == "train_err") && isnan_s(v)) continue
        if (losslike(name) || (name ~ /_err$/ && losslike(substr(name, 1, length(name) - 4)))) {
            if (isnan_s(v) || isinf_s(v) || !isnum(v)) { bad("row " row ": " name " = " v " under ok"); continue }
            if (v + 0 < 0) { bad("row " row ": " name " = " v " < 0 under ok"); continue }
        } else if (errlike(name)) {
            if (isinf_s(v) || (isnum(v) && v + 0 < 0)) bad("row " row ": " name " = " v " under ok")
        } else if (!has_status && exponentlike(name)) {
            if (isinf_s(v) || (isnum(v) && v + 0 < 0)) bad("row " row ": exponent " name " = " v " (no status column)")
        }
        # a finite value whose error column is nan: not within an error estimate
        if (isnum(v) && (name "_err") in idx) {
            e = f[idx[name "_err"]]
            if (isnan_s(e) && losslike(name)) bad("row " row ": " name " = " v " with " name "_err = nan under ok")
        }
    }
    if ((cmd == "dmft" || cmd == "loss") && !task && ("t" in idx)) {
        name = (cmd == "loss") ? "loss" : "test"
        if ((name in idx) && (name "_err") in idx) {
            v = f[idx[name]]; e = f[idx[name "_err"]]
            if (isnum(v) && v + 0 == 0 && isnum(e) && e + 0 == 0 && !isinf_s(f[idx["t"]]))
                bad("row " row ": " name " = 0 +- 0 at t = " f[idx["t"]] " under ok")
        }
    }
}
function check_failed_row(row, f, nf, st,    i, name, v) {
    for (i = 1; i <= nf && i <= ncol; i++) {
        name = col[i]; v = f[i]
        if (name != "test" && name != "loss") continue
        if (isnan_s(v)) continue
        if (v == "inf" && st ~ /diverg/) continue
        bad("row " row ": status '" st "' but " name " = " v " (a failed point must be nan)")
    }
}
BEGIN { nrow = 0; nok = 0; nfail = 0; nbad = 0; header = 0; has_status = 0 }
/^#/ { next }
{
    sub(/\r$/, "")
    if (!header) {
        ncol = split_csv($0, col)
        for (i = 1; i <= ncol; i++) idx[col[i]] = i
        has_status = ("status" in idx)
        header = 1
        next
    }
    if ($0 == "") next
    nf = split_csv($0, f)
    nrow++
    if (nf != ncol) bad("row " nrow ": " nf " fields, header has " ncol)
    if (has_status) {
        st = f[idx["status"]]
        if (st == "ok" || st == "ok (near edge)" || (cmd == "spectrum" && st == "zero")) {
            nok++
            check_ok_row(nrow, f, nf)
        } else if (st == "divergent" && rc == 0) {
            # the ridgeless N = P pole: an answer (the loss is +inf), not a failure
            nok++
            lname = ("test" in idx) ? "test" : "loss"
            if (!(lname in idx) || !isinf_s(f[idx[lname]]) || f[idx[lname]] ~ /^-/)
                bad("row " nrow ": status 'divergent' with exit 0 but " lname " = " f[idx[lname]] " (the pole's value is +inf)")
        } else {
            nfail++
            if (rc == 0) bad("row " nrow ": status '" st "' with exit 0")
            check_failed_row(nrow, f, nf, st)
        }
    } else {
        nok++
        if (rc == 0 || rc == 1) check_ok_row(nrow, f, nf)
    }
}
END {
    if (rc == 0 && !help && !header && cmd != "crosscheck") bad("exit 0 and no table")
    print "rows " nok " " nfail
}
