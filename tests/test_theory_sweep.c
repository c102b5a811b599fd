/* Theory against theory over a grid of power-law tasks (issue 10, "keep it fixed").
 *
 * Three independent routes to the same numbers, over alpha in {1.02, 1.05, 1.1, 1.3, 2,
 * 4, 8} and beta from 0.05 to 12:
 *   (a) the DMFT at t = inf (gradient flow converged: the minimum-norm interpolant)
 *       against the statics' ridgeless random-feature formula at N != P, noise 0 and 0.5;
 *   (b) the DMFT at N = P = inf against the mode sum L(t) = sum_k t_k e^{-2 lambda_k t}
 *       (slt_sum_decay, what `slt loss` prints) at several t;
 *   (c) the statics at N = inf is kernel ridge regression (KRR deterministic
 *       equivalent, slt/statics.h): checked against the DMFT at N = inf, t = inf, and
 *       against the statics' random-feature formula at N = 1e12 (N -> inf limit).
 * Each comparison passes when |a - b| <= err_a + err_b + allowance (stated where used).
 *
 * Every point is either computed and agrees, or refused: a non-ok status from the
 * library (then the value must not pretend to be a number: it is counted per status
 * class). A point whose status is ok but whose value is NaN, inf, negative or outside
 * the combined error bound fails the test. The counts are printed at the end. */
#include "slt_test.h"

#include <stdio.h>
#include <string.h>

#include "slt/dmft.h"
#include "slt/statics.h"

static const double alphas[] = {1.02, 1.05, 1.1, 1.3, 2.0, 4.0, 8.0};
static const double betas[] = {0.05, 0.3, 1.0, 1.7, 4.0, 8.0, 12.0};
#define N_ALPHA (sizeof alphas / sizeof alphas[0])
#define N_BETA (sizeof betas / sizeof betas[0])

typedef struct {
    int compared, agreed, disagreed;
    int refused[SLT_STATUS_COUNT + 1]; /* by status code of the refusing side */
    int refused_total;
    char last_task[64]; /* the task of the last refusal printed (one line per task) */
} sweep_counts;

static sweep_counts counts_a, counts_b, counts_c;

/* A loss under status ok must be a finite number >= 0 with a finite error >= 0. */
static int valid_value(double v, double err)
{
    return isfinite(v) && v >= 0.0 && isfinite(err) && err >= 0.0;
}

/* True for the first refusal of a task ("(a) alpha A beta B") in a section: the output
 * names each refusing task once, with the first message, instead of every point. */
static int first_for_task(sweep_counts *c, const char *label)
{
    const char *end = strstr(label, " noise");
    const char *n = strstr(label, " N ");
    if (!end || (n && n < end)) end = n;
    size_t len = end ? (size_t)(end - label) : strlen(label);
    if (len >= sizeof c->last_task) len = sizeof c->last_task - 1;
    if (strncmp(c->last_task, label, len) == 0 && c->last_task[len] == 0) return 0;
    memcpy(c->last_task, label, len);
    c->last_task[len] = 0;
    return 1;
}

static void refuse(sweep_counts *c, int status)
{
    c->refused_total++;
    c->refused[(status > 0 && status < SLT_STATUS_COUNT) ? status : SLT_STATUS_COUNT]++;
}

/* Compares two computed values; prints and counts a disagreement (test failure). */
static void compare(sweep_counts *c, const char *what, double a, double a_err, double b,
                    double b_err, double allowance)
{
    c->compared++;
    if (!valid_value(a, a_err) || !valid_value(b, b_err)) {
        c->disagreed++;
        print_error("%s: invalid value under status ok: %.17g +- %.3g vs %.17g +- %.3g\n", what,
                    a, a_err, b, b_err);
        return;
    }
    double diff = fabs(a - b), bound = a_err + b_err + allowance;
    if (slt_within(diff, a_err + b_err, allowance)) {
        c->agreed++;
    } else {
        c->disagreed++;
        print_error("%s: %.17g +- %.3g vs %.17g +- %.3g: |diff| = %.3g > bound %.3g\n", what, a,
                    a_err, b, b_err, diff, bound);
    }
}

/* DMFT at one (N, P) and n times. Returns the library's status; on SLT_OK every point is
 * SLT_OK. A setup failure leaves the points untouched (the caller counts a refusal). */
static int dmft_at(const slt_task *task, double N, double P, const double *times, size_t n,
                   slt_dmft_point *out)
{
    slt_dmft_params p = slt_dmft_params_default();
    p.N = N;
    p.P = P;
    slt_dmft_workspace *w = NULL;
    int rc = slt_dmft_alloc(task, &p, &w);
    if (rc == SLT_OK) rc = slt_dmft_solve(w, times, n, out);
    slt_dmft_free(w);
    return rc;
}

static int statics_at(const slt_statics_workspace *ws, double N, double P, slt_statics_result *r)
{
    slt_statics_params p = slt_statics_params_default();
    p.N = N;
    p.P = P;
    p.ridge = 0.0;
    memset(r, 0, sizeof *r);
    return slt_statics_solve(ws, &p, r);
}

/* (a) and the DMFT half of (c): DMFT(t = inf) against the statics at one (N, P). */
static void compare_converged(sweep_counts *c, const slt_task *task, const slt_statics_workspace *ws,
                              double N, double P, const char *label)
{
    const double t_inf = INFINITY;
    slt_dmft_point d;
    slt_statics_result s;
    int rd = dmft_at(task, N, P, &t_inf, 1, &d);
    int rs = statics_at(ws, N, P, &s);
    if (rd == SLT_OK && d.status != SLT_OK) rd = d.status;
    if (rs == SLT_OK && s.status != SLT_OK) rs = s.status;
    if (rd != SLT_OK || rs != SLT_OK) {
        /* A refusal is an answer. Its companion, if ok, must still be a valid number. */
        refuse(c, rd != SLT_OK ? rd : rs);
        if (first_for_task(c, label))
            print_message("   refused %s: dmft %s, statics %s (%s)\n", label, slt_strerror(rd),
                          slt_strerror(rs), slt_last_error());
        if (rd == SLT_OK && !valid_value(d.test, d.test_err)) {
            c->disagreed++;
            print_error("%s: dmft test %.17g +- %.3g under status ok\n", label, d.test,
                        d.test_err);
        }
        if (rs == SLT_OK && !valid_value(s.test, s.test_err)) {
            c->disagreed++;
            print_error("%s: statics test %.17g +- %.3g under status ok\n", label, s.test,
                        s.test_err);
        }
        return;
    }
    /* Allowance 1e-9 relative: the DMFT's Talbot inversion is accurate to about 1e-11
     * relative (dmft.h, nodes = 16) and its error estimate is itself an estimate. */
    compare(c, label, d.test, d.test_err, s.test, s.test_err, 1e-9 * fabs(s.test));
    char train_label[200];
    snprintf(train_label, sizeof train_label, "%s train", label);
    /* The train loss at t = inf: the interpolant's is 0 when min(N, P) >= P, i.e. N > P;
     * both sides compute it from their own formulas. Same allowance as the test loss. */
    compare(c, train_label, d.train, d.train_err, s.train, s.train_err,
            1e-9 * fabs(s.train) + 1e-300);
}

static void sweep_a(void **state)
{
    (void)state;
    /* (N, P) pairs with N != P on both sides of the pole, small enough that the ridgeless
     * interpolant is far from exhausting the spectrum. */
    static const double sizes[][2] = {{10, 30}, {300, 100}, {1000, 50}};
    static const double noises[] = {0.0, 0.5};
    for (size_t ia = 0; ia < N_ALPHA; ia++)
        for (size_t ib = 0; ib < N_BETA; ib++)
            for (size_t in = 0; in < 2; in++) {
                slt_task *task = test_power_law(alphas[ia], betas[ib], noises[in]);
                slt_statics_workspace *ws = NULL;
                int rc = slt_statics_alloc(task, &ws);
                for (size_t is = 0; is < sizeof sizes / sizeof sizes[0]; is++) {
                    char label[160];
                    snprintf(label, sizeof label,
                             "(a) alpha %g beta %g noise %g N %g P %g t inf", alphas[ia],
                             betas[ib], noises[in], sizes[is][0], sizes[is][1]);
                    if (rc != SLT_OK) {
                        refuse(&counts_a, rc);
                        if (first_for_task(&counts_a, label))
                            print_message("   refused %s: statics set-up %s (%s)\n", label,
                                          slt_strerror(rc), slt_last_error());
                        continue;
                    }
                    compare_converged(&counts_a, task, ws, sizes[is][0], sizes[is][1], label);
                }
                slt_statics_free(ws);
                slt_task_free(task);
            }
}

static void sweep_b(void **state)
{
    (void)state;
    static const double times[] = {0.5, 10.0, 1e3, 1e6};
    const size_t nt = sizeof times / sizeof times[0];
    for (size_t ia = 0; ia < N_ALPHA; ia++)
        for (size_t ib = 0; ib < N_BETA; ib++) {
            slt_task *task = test_power_law(alphas[ia], betas[ib], 0.0);
            slt_dmft_point d[4];
            for (size_t i = 0; i < nt; i++) d[i].status = -1;
            int rd = dmft_at(task, INFINITY, INFINITY, times, nt, d);
            for (size_t i = 0; i < nt; i++) {
                char label[160];
                snprintf(label, sizeof label, "(b) alpha %g beta %g N = P = inf t %g",
                         alphas[ia], betas[ib], times[i]);
                slt_sum s;
                int rs = slt_sum_decay(task, times[i], &s);
                int rdi = (d[i].status == -1) ? rd : d[i].status;
                if (rdi != SLT_OK || rs != SLT_OK) {
                    refuse(&counts_b, rdi != SLT_OK ? rdi : rs);
                    if (first_for_task(&counts_b, label))
                        print_message("   refused %s: dmft %s, loss sum %s (%s)\n", label,
                                      slt_strerror(rdi), slt_strerror(rs), slt_last_error());
                    if (rdi == SLT_OK && !valid_value(d[i].test, d[i].test_err)) {
                        counts_b.disagreed++;
                        print_error("%s: dmft %.17g under status ok\n", label, d[i].test);
                    }
                    if (rs == SLT_OK && !valid_value(s.value, s.err)) {
                        counts_b.disagreed++;
                        print_error("%s: loss sum %.17g under status ok\n", label, s.value);
                    }
                    continue;
                }
                /* Allowance 1e-9 relative: Talbot inversion accuracy (see sweep_a). */
                compare(&counts_b, label, d[i].test, d[i].test_err, s.value, s.err,
                        1e-9 * fabs(s.value));
                char train_label[200];
                snprintf(train_label, sizeof train_label, "%s train", label);
                /* At P = inf the train loss is the population loss: test + noise (0). */
                compare(&counts_b, train_label, d[i].train, d[i].train_err, s.value, s.err,
                        1e-9 * fabs(s.value));
            }
            slt_task_free(task);
        }
}

static void sweep_c(void **state)
{
    (void)state;
    static const double Ps[] = {20, 400};
    static const double noises[] = {0.0, 0.5};
    const double N_large = 1e12;
    for (size_t ia = 0; ia < N_ALPHA; ia++)
        for (size_t ib = 0; ib < N_BETA; ib++)
            for (size_t in = 0; in < 2; in++) {
                slt_task *task = test_power_law(alphas[ia], betas[ib], noises[in]);
                slt_statics_workspace *ws = NULL;
                int rc = slt_statics_alloc(task, &ws);
                for (size_t ip = 0; ip < sizeof Ps / sizeof Ps[0]; ip++) {
                    char label[160];
                    snprintf(label, sizeof label, "(c) alpha %g beta %g noise %g N inf P %g",
                             alphas[ia], betas[ib], noises[in], Ps[ip]);
                    if (rc != SLT_OK) {
                        refuse(&counts_c, rc);
                        if (first_for_task(&counts_c, label))
                            print_message("   refused %s: statics set-up %s (%s)\n", label,
                                          slt_strerror(rc), slt_last_error());
                        continue;
                    }
                    /* KRR (statics N = inf) against the converged DMFT at N = inf. */
                    compare_converged(&counts_c, task, ws, INFINITY, Ps[ip], label);
                    /* KRR against the random-feature formula at N = 1e12. */
                    slt_statics_result krr, rf;
                    int rk = statics_at(ws, INFINITY, Ps[ip], &krr);
                    int rr = statics_at(ws, N_large, Ps[ip], &rf);
                    char rf_label[200];
                    snprintf(rf_label, sizeof rf_label, "%s vs random features N = 1e12",
                             label);
                    if (rk != SLT_OK || rr != SLT_OK) {
                        refuse(&counts_c, rk != SLT_OK ? rk : rr);
                        if (first_for_task(&counts_c, rf_label))
                            print_message("   refused %s: %s / %s (%s)\n", rf_label,
                                          slt_strerror(rk), slt_strerror(rr), slt_last_error());
                        continue;
                    }
                    /* Allowance: ridgeless with N > P, kappa does not depend on N, and
                     * L(N, P) - L(inf, P) = (1 - q)(kT1 - k2T2)/(1 - gamma) plus the O(P/N)
                     * shift of gamma (which also moves the noise part sigma^2 gamma/(1 - gamma)),
                     * with 1 - q <= P/N: at most (P/N)(kT1 + L + sigma^2)/(1 - gamma)^2;
                     * twice that for the second-order terms. Not relative to L: when L is
                     * tiny (alpha 8, P 400) the kT1 term dominates. */
                    double rf_allow = 2.0 * (Ps[ip] / N_large) * (krr.kt1 + krr.test + krr.noise) /
                                      (krr.one_minus_gamma * krr.one_minus_gamma);
                    compare(&counts_c, rf_label, rf.test, rf.test_err, krr.test, krr.test_err,
                            rf_allow);
                }
                slt_statics_free(ws);
                slt_task_free(task);
            }
}

static void print_counts(const char *name, const sweep_counts *c)
{
    printf("   %s: %d compared, %d agreed, %d disagreed or invalid; %d refused", name,
           c->compared, c->agreed, c->disagreed, c->refused_total);
    for (int s = 1; s <= SLT_STATUS_COUNT; s++)
        if (c->refused[s])
            printf(", %d %s", c->refused[s], s < SLT_STATUS_COUNT ? slt_strerror(s) : "unknown");
    printf("\n");
}

static void check_counts(void **state)
{
    (void)state;
    printf("theory sweep (alpha x beta = %zu x %zu):\n", N_ALPHA, N_BETA);
    print_counts("(a) dmft t=inf vs statics", &counts_a);
    print_counts("(b) dmft N=P=inf vs loss sum", &counts_b);
    print_counts("(c) statics N=inf (KRR) vs dmft / random features", &counts_c);
    fflush(stdout);
    assert_int_equal(counts_a.disagreed + counts_b.disagreed + counts_c.disagreed, 0);
    /* Every point answered one way or the other. */
    assert_true(counts_a.compared + counts_a.refused_total > 0);
    assert_true(counts_b.compared + counts_b.refused_total > 0);
    assert_true(counts_c.compared + counts_c.refused_total > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sweep_a),
        cmocka_unit_test(sweep_b),
        cmocka_unit_test(sweep_c),
        cmocka_unit_test(check_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
