/* slt static — converged (end-of-training) learning curves from the deterministic
 * equivalents of kernel and random-feature ridge regression, their regimes, per-mode
 * errors, the Bahri et al. / Maloney et al. presets and the Boopathy–Fiete scale–time
 * surrogate (docs/theory/statics.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "task_args.h"
#include "slt/statics.h"
#include "slt/status.h"
#include "slt/table.h"
#include "slt/task.h"

#define MAX_ROWS 1000000

const cli_command_info cmd_static_info = {
    "static",
    "converged learning curves: kernel / random-feature ridge regression, regimes, presets",
    "slt static (--alpha A --beta B | other letters | --task FILE | --kernel K ...)\n"
    "                  --P LIST [--N LIST] [--ridge R | --ridge-canatar R] [--noise S2]\n"
    "                  [--regime | --modes K | --levels] [--preset bahri|maloney ...] [--format F]\n"
    "       slt static TASK --P LIST --scale-time --t LIST [--count-small C --count-large C]",
    "The test and train error after training to convergence, from the deterministic\n"
    "equivalent (docs/theory/statics.md): ridge regression on N random features of the\n"
    "task (N = inf: kernel / linear ridge regression) with P samples, ridge z >= 0 on\n"
    "(1/P) sum (y - f)^2 + z |w|^2 and label noise sigma^2. The effective ridge kappa\n"
    "solves kappa (1 - df/N)(1 - df/P) = z (Brent's method on log kappa in a bracket that\n"
    "contains exactly the physical root); every mode sum runs to k = inf for power laws,\n"
    "with an error bound that is propagated into the _err columns. One row per (N, P):\n"
    "every N of --N with every P of --P. Ridgeless at N = P (< number of modes) the test\n"
    "error is infinite (the double-descent pole): its row says 'divergent' and has test =\n"
    "inf (json null); that row is an answer, not a failure (exit code 0). A point so close\n"
    "to the pole that one ulp of N or P moves its loss by more than 10% is refused\n"
    "(status 'requested accuracy not reached', nan, exit 1): give N = P exactly for the\n"
    "pole. Power laws are solved with amplitudes 1 and scaled back (exact for tiny or huge\n"
    "--amp-lambda, --amp-target, --noise).\n"
    "\n"
    CLI_TASK_HELP CLI_TASK_HELP_MODES CLI_TASK_HELP_FILE CLI_TASK_HELP_KERNEL
    "With --kernel, --preset and --scale-time are not available.\n"
    "With --alpha/--beta, --amp-lambda and --amp-target set A_lambda and A_t.\n"
    CLI_LIST_HELP
    "--N and --P accept inf.\n"
    "\n"
    "Columns: N, P; ridge (the canonical z of the row); test = L, the excess test error on\n"
    "the clean target (add sigma^2 for noisy test labels; no factor 1/2), test_err (error\n"
    "bound); train = the mean squared error on the noisy training labels, train_err;\n"
    "kappa, kappa_err (effective ridge); gamma (the 1/(1 - gamma) factor); iter (Brent\n"
    "iterations, 0 when kappa is exact); regime; status (ok, divergent, or the failure).\n"
    "regime (Bahri et al.'s regimes, statics.md sec. 7): width-limited when the point is\n"
    "variance-limited in P, i.e. L - L(N,inf) follows coef_P/P to within 25% (so the loss\n"
    "is resolution-limited in N: N is the bottleneck; ridgeless this means P >= 4N);\n"
    "data-limited when variance-limited in N instead; if both, the larger of the two\n"
    "excesses names the scarcer resource; crossover when neither (around N = P);\n"
    "ridge-limited when the ridge floor L(inf,inf) = z^2 T2(z) is at least half of L\n"
    "(checked first); divergent at the pole; unknown when a limit or derivative cannot be\n"
    "computed (the row stays ok, the cause is on stderr; with --regime the row fails).\n"
    "\n"
    "--regime adds: L_width = L(N, inf), L_data = L(inf, P), L_floor = L(inf, inf);\n"
    "coef_P, coef_N: the variance-limited coefficients, L(N,P) - L(N,inf) ~ coef_P/P as\n"
    "P -> inf at this N and L(N,P) - L(inf,P) ~ coef_N/N as N -> inf at this P (exact\n"
    "derivatives of the equations; nan where the limit is not approached as 1/P or 1/N,\n"
    "e.g. ridgeless kernel regression in P); slope_P, slope_N: the local exponents\n"
    "d log L/d log P and d log L/d log N at the point (negative when L decreases; nan\n"
    "where L = 0 exactly: a ridgeless task with P or N past its modes);\n"
    "res_slope_P = d log L(inf,P)/d log P and res_slope_N = d log L(N,inf)/d log N, the\n"
    "resolution-limited local exponents (power laws, ridgeless: -> -alpha min(beta,2)\n"
    "and -alpha min(beta,1)). Each with its _err.\n"
    "\n"
    "--modes K prints instead, at a single (N, P), one row per mode k = 1..K: k, lambda,\n"
    "target (t_k), learnability lambda/(lambda+kappa), loss_share E_k (L = sum_k t_k E_k\n"
    "+ the noise part), and for N = inf residual = lambda_k E(w*_k - w_k)^2, the error\n"
    "left in the mode (bias + variance; sums to L).\n"
    "\n"
    "--levels prints instead, at a single (N, P), one row per level of a task of levels\n"
    "(--task FILE, 2 or 3 columns; not a power law: use --modes): level (its index i),\n"
    "lambda, mult (m_i), power (P_i, the level's total target power), learnability\n"
    "lambda/(lambda+kappa), loss = P_i E(lambda_i), the level's share of L, and for\n"
    "N = inf residual, the error left in the level's m_i modes (bias + variance); each\n"
    "with its _err. Then the rows tail (a moment tail's modes: lambda = its bound\n"
    "lambda_sup, mult = its number of modes, power = its target power), null (target\n"
    "power on lambda = 0, never learned: power/(1 - gamma)) and noise (sigma^2 gamma/\n"
    "(1 - gamma); residual 0), where present, so that the loss column sums to test_loss\n"
    "(a param), as does the residual column (docs/theory/statics.md sec. 4).\n"
    "\n"
    "Presets (docs/theory/statics.md sec. 8, 9):\n"
    "  --preset bahri    Bahri et al.'s teacher-student model: give --alpha-K; teacher\n"
    "                    spectrum lambda_k = k^-(1+alpha_K) over --S features (default\n"
    "                    infinitely many), isotropic teacher with E omega^2 = --omega2, so\n"
    "                    t_k = omega2 lambda_k. Their model size P is our --N, their data\n"
    "                    size D our --P.\n"
    "  --preset maloney  Maloney-Roberts-Sully: give --alpha-MRS and --M (latent dimension);\n"
    "                    lambda_I = lambda_+ I^-(1+alpha_MRS), teacher variance sigma_w^2/M\n"
    "                    (--lambda-plus, --sigma-w2); their ridge --gamma-MRS on the\n"
    "                    unnormalised sum with feature variance --sigma-u2 becomes\n"
    "                    z = gamma_MRS M/(T N sigma_u^2), T = --P. Assumption: their loss has\n"
    "                    no factor 1/2 (unconfirmed); if it has, L_MRS = test/2.\n"
    "\n"
    "--scale-time (Boopathy-Fiete scale-time equivalence, statics.md sec. 11) prints,\n"
    "for each P and each time t of --t, the prediction for a large model (--count-large\n"
    "parameters) at time t from a small one (--count-small). Columns suffixed _paper are\n"
    "the paper's statement: performance depends on size and time through p*t only, so\n"
    "t_small_paper = t p_large/p_small with p = count^(--scale-exponent, default 1/3, the\n"
    "follow-up's heuristic), within_horizon_paper = yes if t_small <= --horizon. Columns\n"
    "suffixed _surrogate are OUR surrogate, not the paper's law: a linear model on the\n"
    "task's features trained by gradient flow for tau = c p_large t (c = --time-const),\n"
    "approximated by ridge z = 1/tau in kernel ridge regression with P samples:\n"
    "tau_surrogate, loss_surrogate (+ _err), signal_surrogate and noise_surrogate (its\n"
    "target and label-noise parts). The mapping saturates for beta >= 2 where gradient\n"
    "flow does not; at P = inf and beta < 2 it is Gamma(2-beta) 2^beta times the\n"
    "gradient-flow loss for power laws at large tau (c = 1).\n"
    "\n"
    "Mei-Montanari random-features regression is not offered: its formula in statics.md\n"
    "is unverified (see docs/theory/statics.md sec. 12); feed the random-feature kernel's\n"
    "spectrum to --task instead.",
};

typedef struct {
    /* options */
    cli_list P, N, t;
    double ridge, ridge_canatar, noise;
    int regime, scale_time, levels;
    long long modes;
    const char *preset;
    long long S, M;
    double omega2, lambda_plus, sigma_w2, sigma_u2, gamma_MRS;
    double count_small, count_large, scale_exponent, time_const, horizon;
    double rel_tol;
    long long max_iter;
    slt_format format;
    /* seen */
    int seen_ridge, seen_canatar, seen_modes, seen_preset, seen_S, seen_omega2, seen_M,
        seen_lambda_plus, seen_sigma_w2, seen_sigma_u2, seen_gamma, seen_t, seen_counts,
        seen_exponent, seen_time_const, seen_horizon;
    /* --kernel: rows whose error bound exceeds SLT_KERNELS_TASK_REL_ACC of the value
     * (kernel_wide) fail when no larger lmax will be tried (kernel_final) */
    int kernel, kernel_final, kernel_wide;
    const cli_task_args *ta;
} static_opts;

static const char *cmd = "static";

/* The canonical ridge of a point. */
static double point_ridge(const static_opts *o, int maloney, double N, double P)
{
    if (maloney) {
        double z = 0.0;
        slt_statics_ridge_maloney(o->gamma_MRS, (double)o->M, N, P, o->sigma_u2, &z);
        return z;
    }
    if (o->seen_canatar) return isinf(P) ? 0.0 : o->ridge_canatar / P;
    return o->ridge;
}

static const char *status_text(int rc)
{
    return rc == SLT_OK ? "ok" : rc == SLT_EDIVERGE ? "divergent" : slt_strerror(rc);
}

/* Combinations the option table cannot express: one line, exit 2. */
static int check_combinations(const static_opts *o, const cli_task_args *ta)
{
    int bahri = o->preset && strcmp(o->preset, "bahri") == 0;
    int maloney = o->preset && strcmp(o->preset, "maloney") == 0;
    if (o->P.count == 0)
        return cli_usage_error(cmd, "--P is required (training samples: a LIST such as 100,1000 "
                               "or 10:1e6:50)");
    if (ta->group == CLI_TASK_KERNEL && (o->preset || o->scale_time))
        return cli_usage_error(cmd, "%s does not take --kernel (a paper's power-law model / the "
                               "scale-time surrogate): give --alpha/--beta or the preset's letters",
                               o->preset ? "--preset" : "--scale-time");
    if (bahri && ta->group != CLI_TASK_BAHRI)
        return cli_usage_error(cmd, "--preset bahri takes the task as --alpha-K K (Bahri et al.'s "
                               "letters), not %s", ta->given);
    if (maloney && ta->group != CLI_TASK_MALONEY)
        return cli_usage_error(cmd, "--preset maloney takes the task as --alpha-MRS M "
                               "(Maloney et al.'s letters), not %s", ta->given);
    if (!bahri && (o->seen_S || o->seen_omega2))
        return cli_usage_error(cmd, "%s goes with --preset bahri only",
                               o->seen_S ? "--S" : "--omega2");
    if (bahri && o->seen_M)
        return cli_usage_error(cmd, "--preset bahri takes its number of teacher features as --S, "
                               "not --M");
    if (!maloney && (o->seen_lambda_plus || o->seen_sigma_w2 || o->seen_sigma_u2 ||
                     o->seen_gamma))
        return cli_usage_error(cmd, "%s goes with --preset maloney only",
                               o->seen_lambda_plus ? "--lambda-plus"
                               : o->seen_sigma_w2 ? "--sigma-w2" : o->seen_sigma_u2 ? "--sigma-u2"
                               : "--gamma-MRS");
    if (maloney && !o->seen_M)
        return cli_usage_error(cmd, "--preset maloney needs --M (the latent dimension, a whole "
                               "number 1 <= M <= 1e7)");
    if (o->seen_ridge && o->seen_canatar)
        return cli_usage_error(cmd, "--ridge and --ridge-canatar both given; give one ridge "
                               "(z = lambda_C/P)");
    if (maloney && (o->seen_ridge || o->seen_canatar))
        return cli_usage_error(cmd, "with --preset maloney give the ridge as --gamma-MRS, not %s",
                               o->seen_ridge ? "--ridge" : "--ridge-canatar");
    if (o->regime + o->seen_modes + o->scale_time + o->levels > 1)
        return cli_usage_error(cmd, "%s and %s exclude each other (one output mode)",
                               o->regime ? "--regime" : o->seen_modes ? "--modes" : "--scale-time",
                               o->levels ? "--levels" : o->scale_time ? "--scale-time" : "--modes");
    if (o->levels && o->preset)
        return cli_usage_error(cmd, "--levels and --preset %s exclude each other (--levels takes "
                               "a task of levels: --task FILE)", o->preset);
    if (o->levels && (o->P.count != 1 || o->N.count > 1))
        return cli_usage_error(cmd, "--levels needs a single N and a single P (got %zu N and %zu "
                               "P values)", o->N.count ? o->N.count : 1, o->P.count);
    if (o->seen_modes && (o->P.count != 1 || o->N.count > 1))
        return cli_usage_error(cmd, "--modes needs a single N and a single P (got %zu N and %zu "
                               "P values)", o->N.count ? o->N.count : 1, o->P.count);
    if (o->scale_time) {
        if (!o->seen_t)
            return cli_usage_error(cmd, "--scale-time needs --t LIST (training times of the large "
                                   "model, > 0)");
        if (o->N.count)
            return cli_usage_error(cmd, "--scale-time takes no --N: the surrogate is a linear model "
                                   "on the task's features (N = inf); model size enters as p");
        if (o->seen_ridge || o->seen_canatar || maloney)
            return cli_usage_error(cmd, "--scale-time sets the ridge from the time (z = 1/tau); "
                                   "drop %s", o->seen_ridge ? "--ridge"
                                   : o->seen_canatar ? "--ridge-canatar" : "--preset maloney");
    } else if (o->seen_t || o->seen_counts || o->seen_exponent || o->seen_time_const ||
               o->seen_horizon) {
        return cli_usage_error(cmd, "%s goes with --scale-time only",
                               o->seen_t ? "--t" : o->seen_counts ? "--count-small/--count-large"
                               : o->seen_exponent ? "--scale-exponent"
                               : o->seen_time_const ? "--time-const" : "--horizon");
    }
    size_t nN = o->N.count ? o->N.count : 1, nt = o->scale_time ? o->t.count : 1;
    if ((double)nN * (double)o->P.count * (double)nt > MAX_ROWS)
        return cli_usage_error(cmd, "%zu x %zu x %zu rows is more than %d (shorten --N, --P or --t)",
                               nN, o->P.count, nt, MAX_ROWS);
    return 0;
}

static int make_task(const static_opts *o, cli_task_args *ta, slt_task **task)
{
    int rc = SLT_OK;
    if (o->preset && strcmp(o->preset, "bahri") == 0)
        rc = slt_statics_task_bahri(ta->alpha_K, o->seen_S ? (double)o->S : INFINITY, o->omega2,
                                    1.0, o->noise, task);
    else if (o->preset && strcmp(o->preset, "maloney") == 0)
        rc = slt_statics_task_maloney(ta->alpha_MRS, o->lambda_plus, o->sigma_w2, (double)o->M,
                                      o->noise, task);
    else
        return cli_task_make(cmd, ta, o->noise, task);
    return rc ? cli_library_error(cmd, rc) : 0;
}

static int echo_params(const static_opts *o, const cli_task_args *ta, const slt_task *task,
                       slt_table *t)
{
    /* a preset sets its own amplitudes: echo those, not the canonical defaults */
    cli_task_args shown = *ta;
    if (o->preset) shown.flags &= ~(unsigned)CLI_TASK_AMPLITUDES;
    if (o->preset) shown.seen_M = 0; /* maloney echoes its M below */
    int rc = cli_task_params(&shown, task, t);
    if (!rc && o->preset) {
        int bahri = strcmp(o->preset, "bahri") == 0;
        double al = bahri ? 1.0 : o->lambda_plus;
        rc = slt_table_param_real(t, "amp_lambda", al);
        if (!rc) rc = slt_table_param_real(t, "amp_target", bahri ? o->omega2 : al * o->sigma_w2 / (double)o->M);
    }
    if (!rc) rc = slt_table_param_real(t, "noise", o->noise);
    if (!rc && o->preset) rc = slt_table_param_text(t, "preset", o->preset);
    if (!rc && o->preset && strcmp(o->preset, "bahri") == 0) {
        rc = slt_table_param_real(t, "S", o->seen_S ? (double)o->S : INFINITY);
        if (!rc) rc = slt_table_param_real(t, "omega2", o->omega2);
        if (!rc) rc = slt_table_param_text(t, "mapping", "N = their model size P, P = their "
                                           "dataset size D, M = S, t_k = omega2 lambda_k");
    } else if (!rc && o->preset) {
        rc = slt_table_param_int(t, "M", o->M);
        if (!rc) rc = slt_table_param_real(t, "lambda_plus", o->lambda_plus);
        if (!rc) rc = slt_table_param_real(t, "sigma_w2", o->sigma_w2);
        if (!rc) rc = slt_table_param_real(t, "sigma_u2", o->sigma_u2);
        if (!rc) rc = slt_table_param_real(t, "gamma_MRS", o->gamma_MRS);
        if (!rc) rc = slt_table_param_text(t, "mapping", "P = their T, ridge z = gamma_MRS M/(T N "
                                           "sigma_u2), t_k = (sigma_w2/M) lambda_k; assumed: "
                                           "their loss has no factor 1/2");
    } else if (!rc && o->seen_canatar) {
        rc = slt_table_param_real(t, "ridge_canatar", o->ridge_canatar);
    } else if (!rc && !o->scale_time) {
        rc = slt_table_param_real(t, "ridge", o->ridge);
    }
    if (!rc) rc = slt_table_param_text(t, "test", "excess test error on the clean target, no 1/2");
    return rc;
}

/* ---- the default table, with or without --regime ---------------------------------- */

static int run_curves(static_opts *o, const slt_statics_workspace *ws, slt_table *t, int *worst)
{
    const int maloney = o->preset && strcmp(o->preset, "maloney") == 0;
    int cN, cP, cz, cL, cT, ck, cg, ci, cLw = -1, cLd = -1, cLf = -1, ccP = -1, ccN = -1,
        csP = -1, csN = -1, crP = -1, crN = -1, creg;
    if ((cN = slt_table_add_column(t, "N", SLT_COL_REAL, 0)) < 0 ||
        (cP = slt_table_add_column(t, "P", SLT_COL_REAL, 0)) < 0 ||
        (cz = slt_table_add_column(t, "ridge", SLT_COL_REAL, 0)) < 0 ||
        (cL = slt_table_add_column(t, "test", SLT_COL_REAL, 1)) < 0 ||
        (cT = slt_table_add_column(t, "train", SLT_COL_REAL, 1)) < 0 ||
        (ck = slt_table_add_column(t, "kappa", SLT_COL_REAL, 1)) < 0 ||
        (cg = slt_table_add_column(t, "gamma", SLT_COL_REAL, 0)) < 0 ||
        (ci = slt_table_add_column(t, "iter", SLT_COL_INT, 0)) < 0)
        return SLT_ENOMEM;
    if (o->regime &&
        ((cLw = slt_table_add_column(t, "L_width", SLT_COL_REAL, 1)) < 0 ||
         (cLd = slt_table_add_column(t, "L_data", SLT_COL_REAL, 1)) < 0 ||
         (cLf = slt_table_add_column(t, "L_floor", SLT_COL_REAL, 1)) < 0 ||
         (ccP = slt_table_add_column(t, "coef_P", SLT_COL_REAL, 1)) < 0 ||
         (ccN = slt_table_add_column(t, "coef_N", SLT_COL_REAL, 1)) < 0 ||
         (csP = slt_table_add_column(t, "slope_P", SLT_COL_REAL, 1)) < 0 ||
         (csN = slt_table_add_column(t, "slope_N", SLT_COL_REAL, 1)) < 0 ||
         (crP = slt_table_add_column(t, "res_slope_P", SLT_COL_REAL, 1)) < 0 ||
         (crN = slt_table_add_column(t, "res_slope_N", SLT_COL_REAL, 1)) < 0))
        return SLT_ENOMEM;
    if ((creg = slt_table_add_column(t, "regime", SLT_COL_TEXT, 0)) < 0 ||
        slt_table_add_status(t) < 0)
        return SLT_ENOMEM;

    const size_t nN = o->N.count ? o->N.count : 1;
    for (size_t i = 0; i < nN; i++) {
        const double N = o->N.count ? o->N.values[i] : INFINITY;
        for (size_t j = 0; j < o->P.count; j++) {
            const double P = o->P.values[j];
            long row = slt_table_add_row(t);
            if (row < 0) return SLT_ENOMEM;
            const size_t r = (size_t)row;
            slt_statics_params p = slt_statics_params_default();
            p.N = N;
            p.P = P;
            p.ridge = point_ridge(o, maloney, N, P);
            p.rel_tol = o->rel_tol;
            p.max_iter = (int)o->max_iter;
            slt_table_set_real(t, r, cN, N, 0);
            slt_table_set_real(t, r, cP, P, 0);
            slt_table_set_real(t, r, cz, p.ridge, 0);
            slt_statics_regime g;
            int rc = slt_statics_regime_at(ws, &p, &g);
            if (rc && rc != SLT_EDIVERGE && g.point.status == SLT_OK && !o->regime) {
                /* the point is solved, only its regime is not: its values stand (ok),
                   the regime says unknown, and stderr says why */
                fprintf(stderr, "slt static: N = %.17g, P = %.17g: regime unknown: %s\n", N, P,
                        slt_last_error());
                g.regime = SLT_STATICS_REGIME_UNKNOWN;
                rc = SLT_OK;
            }
            if (rc && rc != SLT_EDIVERGE) {
                if (o->kernel) { /* too few levels: a larger lmax may help */
                    o->kernel_wide = 1;
                    fprintf(stderr, "slt static: N = %.17g, P = %.17g: %s (--kernel at lmax "
                            "%zu: the tail beyond it is known by its moments only; a larger "
                            "--lmax lists more of the spectrum)\n", N, P, slt_last_error(),
                            o->ta->kernel.lmax);
                } else {
                    fprintf(stderr, "slt static: N = %.17g, P = %.17g: %s\n", N, P,
                            slt_last_error());
                }
                slt_table_set_status(t, r, status_text(rc));
                slt_table_set_text(t, r, creg, "unknown");
                /* a kernel task's lmax, not the user's sizes, limits the point: exit 1 */
                if (!*worst) *worst = o->kernel && rc == SLT_EDOM ? SLT_ENOCONV : rc;
                continue;
            }
            const slt_statics_result *s = &g.point;
            if (o->kernel && cli_kernel_bound_wide(&o->ta->kernel, s->test, s->test_err)) {
                o->kernel_wide = 1; /* the tail: a larger lmax narrows the bound */
                if (o->kernel_final) {
                    fprintf(stderr, "slt static: N = %.17g, P = %.17g: the error bound %.3g is "
                            "above %g of the test error %.6g (the tail beyond lmax): give a "
                            "larger --lmax\n", N, P, s->test_err, SLT_KERNELS_TASK_REL_ACC,
                            s->test);
                    slt_table_set_status(t, r, status_text(SLT_ENOCONV));
                    slt_table_set_text(t, r, creg, "unknown");
                    if (!*worst) *worst = SLT_ENOCONV;
                    continue;
                }
            }
            slt_table_set_real(t, r, cL, s->test, s->test_err);
            slt_table_set_real(t, r, cT, s->train, s->train_err);
            slt_table_set_real(t, r, ck, s->kappa, s->kappa_err);
            slt_table_set_real(t, r, cg, s->gamma, 0);
            slt_table_set_int(t, r, ci, s->iterations);
            slt_table_set_text(t, r, creg, slt_statics_regime_name(g.regime));
            slt_table_set_status(t, r, status_text(rc));
            if (o->regime) {
                slt_table_set_real(t, r, cLw, g.width_only.test, g.width_only.test_err);
                slt_table_set_real(t, r, cLd, g.data_only.test, g.data_only.test_err);
                slt_table_set_real(t, r, cLf, g.floor.test, g.floor.test_err);
                slt_table_set_real(t, r, ccP, g.coef_P, g.coef_P_err);
                slt_table_set_real(t, r, ccN, g.coef_N, g.coef_N_err);
                slt_table_set_real(t, r, csP, g.local.slope_P, g.local.slope_P_err);
                slt_table_set_real(t, r, csN, g.local.slope_N, g.local.slope_N_err);
                slt_table_set_real(t, r, crP, g.res_slope_P, g.res_slope_P_err);
                slt_table_set_real(t, r, crN, g.res_slope_N, g.res_slope_N_err);
            }
        }
    }
    return SLT_OK;
}

/* ---- --modes K -------------------------------------------------------------------- */

static int run_modes(const static_opts *o, const slt_statics_workspace *ws, const slt_task *task,
                     slt_table *t, int *worst)
{
    const int maloney = o->preset && strcmp(o->preset, "maloney") == 0;
    const double N = o->N.count ? o->N.values[0] : INFINITY, P = o->P.values[0];
    const size_t M = slt_task_modes(task);
    if (M != SLT_MODES_INFINITE && (size_t)o->modes > M) {
        *worst = -1;
        return cli_usage_error(cmd, "--modes: %lld is out of range (expected K <= %zu, the task's "
                               "number of modes)", o->modes, M);
    }
    if (M == SLT_MODES_INFINITE && o->kernel) { /* the levels' modes are listed, the tail's not */
        double listed = 0;
        slt_level L;
        for (size_t i = 1; i <= slt_task_levels(task); i++)
            if (slt_task_level(task, i, &L) == SLT_OK) listed += L.mult;
        if ((double)o->modes > listed) {
            *worst = -1;
            return cli_usage_error(cmd, "--modes: %lld is out of range (expected K <= %.17g, the "
                                   "modes of the levels to --lmax %zu; the tail beyond is summed, "
                                   "not listed)", o->modes, listed, o->ta->kernel.lmax);
        }
    }
    slt_statics_params p = slt_statics_params_default();
    p.N = N;
    p.P = P;
    p.ridge = point_ridge(o, maloney, N, P);
    p.rel_tol = o->rel_tol;
    p.max_iter = (int)o->max_iter;
    slt_statics_result s;
    int rc = slt_statics_solve(ws, &p, &s);
    if (rc) return rc; /* divergent included: no per-mode table at the pole */
    int ck, cl, ct, cle, csh, cres = -1;
    if ((ck = slt_table_add_column(t, "k", SLT_COL_INT, 0)) < 0 ||
        (cl = slt_table_add_column(t, "lambda", SLT_COL_REAL, 0)) < 0 ||
        (ct = slt_table_add_column(t, "target", SLT_COL_REAL, 0)) < 0 ||
        (cle = slt_table_add_column(t, "learnability", SLT_COL_REAL, 0)) < 0 ||
        (csh = slt_table_add_column(t, "loss_share", SLT_COL_REAL, 0)) < 0 ||
        (isinf(N) && (cres = slt_table_add_column(t, "residual", SLT_COL_REAL, 0)) < 0))
        return SLT_ENOMEM;
    if ((rc = slt_table_param_real(t, "N", N)) || (rc = slt_table_param_real(t, "P", P)) ||
        (rc = slt_table_param_real(t, "ridge_z", p.ridge)) ||
        (rc = slt_table_param_real(t, "kappa", s.kappa)) ||
        (rc = slt_table_param_real(t, "test_loss", s.test)) ||
        (rc = slt_table_param_real(t, "noise_part", s.noise_part)))
        return rc;
    for (long long k = 1; k <= o->modes; k++) {
        long row = slt_table_add_row(t);
        if (row < 0) return SLT_ENOMEM;
        double lam = slt_task_lambda(task, (size_t)k), tgt = slt_task_target(task, (size_t)k);
        slt_statics_mode m;
        if ((rc = slt_statics_mode_error(&s, lam, tgt, &m))) return rc;
        slt_table_set_int(t, (size_t)row, ck, k);
        slt_table_set_real(t, (size_t)row, cl, lam, 0);
        slt_table_set_real(t, (size_t)row, ct, tgt, 0);
        slt_table_set_real(t, (size_t)row, cle, m.learnability, 0);
        slt_table_set_real(t, (size_t)row, csh, m.loss_share, 0);
        if (cres >= 0) slt_table_set_real(t, (size_t)row, cres, m.residual, 0);
    }
    return SLT_OK;
}

/* ---- --levels --------------------------------------------------------------------- */

/* One row per level of an explicit task (λ_i, m_i, P_i), then the rows tail (the moment
 * tail), null (target power on λ = 0) and noise, whichever are present, so that the loss
 * column sums to L (docs/theory/statics.md §4, "per level"). degree: the degree of each
 * level, printed as a `degree` column (kernel tasks); NULL for a task file. */
static int run_levels(const static_opts *o, const slt_statics_workspace *ws, const slt_task *task,
                      const double *degree, slt_table *t, int *worst)
{
    const double N = o->N.count ? o->N.values[0] : INFINITY, P = o->P.values[0];
    if (slt_task_get_kind(task) == SLT_TASK_POWER_LAW) {
        *worst = -1;
        return cli_usage_error(cmd, "--levels needs a task of levels (--task FILE); a power law "
                               "has one mode per level, k = 1 ... inf: use --modes K");
    }
    const size_t nl = slt_task_levels(task);
    if (nl + 3 > MAX_ROWS) {
        *worst = -1;
        return cli_usage_error(cmd, "--levels: the task has %zu levels, more than %d rows", nl,
                               MAX_ROWS - 3);
    }
    slt_statics_params p = slt_statics_params_default();
    p.N = N;
    p.P = P;
    p.ridge = point_ridge(o, 0, N, P);
    p.rel_tol = o->rel_tol;
    p.max_iter = (int)o->max_iter;
    slt_statics_result s;
    int rc = slt_statics_solve(ws, &p, &s);
    if (rc) return rc; /* divergent included: no per-level table at the pole */
    slt_statics_tail_part tp;
    if ((rc = slt_statics_tail_error(ws, &s, &tp))) return rc;
    slt_task_tail tl;
    const int has_tail = slt_task_get_tail(task, &tl) == SLT_OK, krr = isinf(N);
    int cid, cdeg = -1, cl, cm, cpw, cle, closs, cres = -1;
    if ((cid = slt_table_add_column(t, "level", SLT_COL_TEXT, 0)) < 0 ||
        (degree && (cdeg = slt_table_add_column(t, "degree", SLT_COL_REAL, 0)) < 0) ||
        (cl = slt_table_add_column(t, "lambda", SLT_COL_REAL, 0)) < 0 ||
        (cm = slt_table_add_column(t, "mult", SLT_COL_REAL, 0)) < 0 ||
        (cpw = slt_table_add_column(t, "power", SLT_COL_REAL, 0)) < 0 ||
        (cle = slt_table_add_column(t, "learnability", SLT_COL_REAL, 1)) < 0 ||
        (closs = slt_table_add_column(t, "loss", SLT_COL_REAL, 1)) < 0 ||
        (krr && (cres = slt_table_add_column(t, "residual", SLT_COL_REAL, 1)) < 0))
        return SLT_ENOMEM;
    if ((rc = slt_table_param_real(t, "N", N)) || (rc = slt_table_param_real(t, "P", P)) ||
        (rc = slt_table_param_real(t, "ridge_z", p.ridge)) ||
        (rc = slt_table_param_real(t, "kappa", s.kappa)) ||
        (rc = slt_table_param_real(t, "test_loss", s.test)) ||
        (rc = slt_table_param_real(t, "test_loss_err", s.test_err)) ||
        (rc = slt_table_param_real(t, "noise_part", s.noise_part)) ||
        (rc = slt_table_param_text(t, "sum", krr ? "the loss column and the residual column "
                                   "each sum to test_loss" : "the loss column sums to test_loss")))
        return rc;
    char id[32];
    for (size_t i = 1; i <= nl; i++) {
        slt_level lv;
        slt_statics_level e;
        if ((rc = slt_task_level(task, i, &lv)) ||
            (rc = slt_statics_level_error(&s, lv.lambda, lv.mult, lv.power, &e)))
            return rc;
        long row = slt_table_add_row(t);
        if (row < 0) return SLT_ENOMEM;
        const size_t r = (size_t)row;
        snprintf(id, sizeof id, "%zu", i);
        slt_table_set_text(t, r, cid, id);
        if (cdeg >= 0) slt_table_set_real(t, r, cdeg, degree[i - 1], 0);
        slt_table_set_real(t, r, cl, lv.lambda, 0);
        slt_table_set_real(t, r, cm, lv.mult, 0);
        slt_table_set_real(t, r, cpw, lv.power, 0);
        slt_table_set_real(t, r, cle, e.learnability, e.learnability_err);
        slt_table_set_real(t, r, closs, e.loss, e.loss_err);
        if (cres >= 0) slt_table_set_real(t, r, cres, e.residual, e.residual_err);
    }
    /* the rest: label, lambda, mult, power, learnability, loss, residual (NaN: not one) */
    struct {
        int show;
        const char *id;
        double lambda, mult, power, learn, loss, loss_err, res, res_err;
    } rest[3] = {
        {has_tail, "tail", tp.lambda_sup, tp.tail_modes, tp.tail_power, NAN, tp.tail,
         tp.tail_err, tp.tail_residual, tp.tail_residual_err},
        {tp.null_power > 0.0, "null", 0.0, NAN, tp.null_power, 0.0, tp.null, tp.null_err,
         tp.null_residual, has_tail ? tl.null_power_err : 0.0},
        {s.noise > 0.0, "noise", NAN, NAN, NAN, NAN, tp.noise, tp.noise_err, 0.0, 0.0},
    };
    for (int k = 0; k < 3; k++) {
        if (!rest[k].show) continue;
        long row = slt_table_add_row(t);
        if (row < 0) return SLT_ENOMEM;
        const size_t r = (size_t)row;
        slt_table_set_text(t, r, cid, rest[k].id);
        slt_table_set_real(t, r, cl, rest[k].lambda, 0);
        slt_table_set_real(t, r, cm, rest[k].mult, 0);
        slt_table_set_real(t, r, cpw, rest[k].power, 0);
        slt_table_set_real(t, r, cle, rest[k].learn, isnan(rest[k].learn) ? NAN : 0.0);
        slt_table_set_real(t, r, closs, rest[k].loss, rest[k].loss_err);
        if (cres >= 0) slt_table_set_real(t, r, cres, rest[k].res, rest[k].res_err);
    }
    return SLT_OK;
}

/* ---- --scale-time ----------------------------------------------------------------- */

static int run_scale_time(const static_opts *o, const slt_statics_workspace *ws, slt_table *t, int *worst)
{
    slt_statics_scale_time_params st = slt_statics_scale_time_params_default();
    st.count_small = o->count_small;
    st.count_large = o->count_large;
    st.scale_exponent = o->scale_exponent;
    st.time_const = o->time_const;
    st.horizon_small = o->horizon;
    int rc = slt_statics_scale_time_params_check(&st);
    if (rc) return rc;
    int cP, ct, cts, cw, ctau, cl, csig, cnoi;
    if ((cP = slt_table_add_column(t, "P", SLT_COL_REAL, 0)) < 0 ||
        (ct = slt_table_add_column(t, "t", SLT_COL_REAL, 0)) < 0 ||
        (cts = slt_table_add_column(t, "t_small_paper", SLT_COL_REAL, 0)) < 0 ||
        (cw = slt_table_add_column(t, "within_horizon_paper", SLT_COL_TEXT, 0)) < 0 ||
        (ctau = slt_table_add_column(t, "tau_surrogate", SLT_COL_REAL, 0)) < 0 ||
        (cl = slt_table_add_column(t, "loss_surrogate", SLT_COL_REAL, 1)) < 0 ||
        (csig = slt_table_add_column(t, "signal_surrogate", SLT_COL_REAL, 0)) < 0 ||
        (cnoi = slt_table_add_column(t, "noise_surrogate", SLT_COL_REAL, 0)) < 0 ||
        slt_table_add_status(t) < 0)
        return SLT_ENOMEM;
    if ((rc = slt_table_param_real(t, "count_small", st.count_small)) ||
        (rc = slt_table_param_real(t, "count_large", st.count_large)) ||
        (rc = slt_table_param_real(t, "scale_exponent", st.scale_exponent)) ||
        (rc = slt_table_param_real(t, "time_const", st.time_const)) ||
        (rc = slt_table_param_real(t, "horizon", st.horizon_small)) ||
        (rc = slt_table_param_text(t, "paper_statement",
                                   "Boopathy-Fiete: performance depends on model size p and "
                                   "time t through p*t; t_small = t p_large/p_small with p = "
                                   "count^e (e = 1/3: the 2025 follow-up's heuristic)")) ||
        (rc = slt_table_param_text(t, "surrogate",
                                   "ours, not the paper's law: linear model, gradient flow for "
                                   "tau = c p t, approximated as kernel ridge regression with "
                                   "z = 1/tau and P samples (statics.md sec. 11.3)")))
        return rc;
    for (size_t j = 0; j < o->P.count; j++)
        for (size_t i = 0; i < o->t.count; i++) {
            long row = slt_table_add_row(t);
            if (row < 0) return SLT_ENOMEM;
            const size_t r = (size_t)row;
            slt_statics_scale_time s;
            rc = slt_statics_scale_time_at(ws, &st, o->P.values[j], o->t.values[i], &s);
            slt_table_set_real(t, r, cP, o->P.values[j], 0);
            slt_table_set_real(t, r, ct, o->t.values[i], 0);
            slt_table_set_real(t, r, cts, s.t_small, 0);
            slt_table_set_text(t, r, cw, s.within_horizon ? "yes" : "no");
            slt_table_set_real(t, r, ctau, s.tau, 0);
            slt_table_set_status(t, r, status_text(rc));
            if (rc) {
                fprintf(stderr, "slt static: P = %.17g, t = %.17g: %s\n", o->P.values[j],
                        o->t.values[i], slt_last_error());
                if (!*worst) *worst = rc;
                continue;
            }
            slt_table_set_real(t, r, cl, s.loss, s.loss_err);
            slt_table_set_real(t, r, csig, s.signal, 0);
            slt_table_set_real(t, r, cnoi, s.noise_part, 0);
        }
    return SLT_OK;
}

int cmd_static(int argc, char **argv)
{
    /* the library's defaults (slt_statics_params_default, _scale_time_params_default) */
    const slt_statics_params pd = slt_statics_params_default();
    const slt_statics_scale_time_params sd = slt_statics_scale_time_params_default();
    static_opts o = {.ridge = pd.ridge, .ridge_canatar = 0.0, .noise = 0.0, .modes = 0,
                     .omega2 = 1.0, .lambda_plus = 1.0, .sigma_w2 = 1.0, .sigma_u2 = 1.0,
                     .gamma_MRS = 0.0, .count_small = sd.count_small,
                     .count_large = sd.count_large, .scale_exponent = sd.scale_exponent,
                     .time_const = sd.time_const, .horizon = sd.horizon_small,
                     .rel_tol = pd.rel_tol, .max_iter = pd.max_iter, .format = SLT_FORMAT_TABLE};
    cli_task_args ta;
    cli_task_args_init(&ta, CLI_TASK_FILE | CLI_TASK_AMPLITUDES | CLI_TASK_KERNEL_OK | CLI_TASK_MODES);
    cli_option opts[CLI_TASK_MAX_OPTIONS + 32];
    size_t n = cli_task_options(&ta, opts);
    const double inf = INFINITY;
    /* ranges: slt_statics_param_range, slt_statics_scale_time_param_range */
    const slt_param_range *(*R)(const char *) = slt_statics_param_range;
    const slt_param_range *(*RT)(const char *) = slt_statics_scale_time_param_range;
    opts[n++] = cli_with_range((cli_option){.name = "P", .kind = CLI_LIST, .target = &o.P,
                                            .metavar = "LIST", .allow_inf = 1,
                                            .help = "training samples P (required)"}, R("P"));
    opts[n++] = cli_with_range((cli_option){.name = "N", .kind = CLI_LIST, .target = &o.N,
                                            .metavar = "LIST", .help = "width: number of random "
                                            "features (default %D = kernel ridge regression)",
                                            .allow_inf = 1, CLI_DEFAULT(pd.N)}, R("N"));
    opts[n++] = cli_with_range((cli_option){.name = "ridge", .kind = CLI_REAL, .target = &o.ridge,
                                            .metavar = "R", .help = "ridge z on (1/P) sum (y-f)^2 "
                                            "+ z |w|^2 (default %D)", .seen = &o.seen_ridge,
                                            CLI_DEFAULT(pd.ridge)}, R("ridge"));
    opts[n++] = (cli_option){.name = "ridge-canatar", .kind = CLI_REAL, .target = &o.ridge_canatar,
                             .metavar = "R", .help = "ridge lambda_C on the unnormalised sum "
                                                     "(Canatar et al.): z = lambda_C/P",
                             .lo = 0, .hi = inf, .hi_open = 1, .seen = &o.seen_canatar};
    opts[n++] = (cli_option){.name = "noise", .kind = CLI_REAL, .target = &o.noise,
                             .metavar = "S2", .help = "label-noise variance sigma^2 (default %D)",
                             .lo = 0, .hi = inf, .hi_open = 1, CLI_DEFAULT(o.noise)};
    opts[n++] = (cli_option){.name = "regime", .kind = CLI_FLAG, .target = &o.regime,
                             .help = "add limits, variance-limited coefficients and local exponents"};
    opts[n++] = (cli_option){.name = "modes", .kind = CLI_INT, .target = &o.modes, .metavar = "K",
                             .help = "per-mode table of modes 1..K at one (N, P)", .lo = 1,
                             .hi = 1e6, .seen = &o.seen_modes};
    opts[n++] = (cli_option){.name = "levels", .kind = CLI_FLAG, .target = &o.levels,
                             .help = "per-level table (each level's share of L) at one (N, P)"};
    opts[n++] = (cli_option){.name = "preset", .kind = CLI_CHOICE, .target = &o.preset,
                             .metavar = "NAME", .help = "a paper's model mapped onto the task",
                             .choices = "bahri|maloney", .seen = &o.seen_preset};
    opts[n++] = (cli_option){.name = "S", .kind = CLI_INT, .target = &o.S, .metavar = "S",
                             .help = "bahri: number of teacher features (default infinite)",
                             .lo = 1, .hi = 1e7, .seen = &o.seen_S};
    opts[n++] = (cli_option){.name = "omega2", .kind = CLI_REAL, .target = &o.omega2,
                             .metavar = "W", .help = "bahri: E omega^2 of the teacher weights "
                                                     "(default %D)", CLI_DEFAULT(o.omega2),
                             .lo = 0, .hi = inf, .lo_open = 1, .hi_open = 1, .seen = &o.seen_omega2};
    opts[n++] = (cli_option){.name = "lambda-plus", .kind = CLI_REAL, .target = &o.lambda_plus,
                             .metavar = "L", .help = "maloney: spectrum scale lambda_+ (default %D)",
                             CLI_DEFAULT(o.lambda_plus), .lo = 0, .hi = inf, .lo_open = 1, .hi_open = 1,
                             .seen = &o.seen_lambda_plus};
    opts[n++] = (cli_option){.name = "sigma-w2", .kind = CLI_REAL, .target = &o.sigma_w2,
                             .metavar = "V", .help = "maloney: teacher variance sigma_w^2 "
                                                     "(w_I ~ N(0, V/M); default %D)",
                             CLI_DEFAULT(o.sigma_w2), .lo = 0, .hi = inf, .lo_open = 1, .hi_open = 1,
                             .seen = &o.seen_sigma_w2};
    opts[n++] = (cli_option){.name = "sigma-u2", .kind = CLI_REAL, .target = &o.sigma_u2,
                             .metavar = "V", .help = "maloney: feature weight variance sigma_u^2 "
                                                     "(default %D)",
                             CLI_DEFAULT(o.sigma_u2), .lo = 0, .hi = inf, .lo_open = 1, .hi_open = 1,
                             .seen = &o.seen_sigma_u2};
    opts[n++] = (cli_option){.name = "gamma-MRS", .kind = CLI_REAL, .target = &o.gamma_MRS,
                             .metavar = "G", .help = "maloney: their ridge on the unnormalised "
                                                     "sum (default %D)",
                             CLI_DEFAULT(o.gamma_MRS), .lo = 0, .hi = inf, .hi_open = 1, .seen = &o.seen_gamma};
    opts[n++] = (cli_option){.name = "scale-time", .kind = CLI_FLAG, .target = &o.scale_time,
                             .help = "Boopathy-Fiete scale-time prediction (paper + surrogate)"};
    opts[n++] = (cli_option){.name = "t", .kind = CLI_LIST, .target = &o.t, .metavar = "LIST",
                             .help = "scale-time: training times of the large model",
                             .lo = 0, .hi = inf, .lo_open = 1, .hi_open = 1, .seen = &o.seen_t};
    opts[n++] = cli_with_range((cli_option){.name = "count-small", .kind = CLI_REAL, .target = &o.count_small,
                             .metavar = "C", .help = "scale-time: small model's parameter count "
                                                     "(default %D)",
                             .seen = &o.seen_counts, CLI_DEFAULT(sd.count_small)}, RT("count_small"));
    opts[n++] = cli_with_range((cli_option){.name = "count-large", .kind = CLI_REAL, .target = &o.count_large,
                             .metavar = "C", .help = "scale-time: large model's parameter count "
                                                     "(default %D)",
                             .seen = &o.seen_counts, CLI_DEFAULT(sd.count_large)}, RT("count_large"));
    opts[n++] = (cli_option){.name = "scale-exponent", .kind = CLI_REAL,
                             .target = &o.scale_exponent, .metavar = "E",
                             .help = "scale-time: effective scale p = count^E (default %D)",
                             .seen = &o.seen_exponent, CLI_DEFAULT(sd.scale_exponent)};
    opts[n - 1] = cli_with_range(opts[n - 1], RT("scale_exponent"));
    opts[n++] = cli_with_range((cli_option){.name = "time-const", .kind = CLI_REAL, .target = &o.time_const,
                             .metavar = "c", .help = "scale-time: surrogate tau = c p t "
                                                     "(default %D)",
                             .seen = &o.seen_time_const, CLI_DEFAULT(sd.time_const)}, RT("time_const"));
    opts[n++] = (cli_option){.name = "horizon", .kind = CLI_REAL, .target = &o.horizon,
                             .metavar = "T", .help = "scale-time: small model's training time "
                                                     "(default %D)",
                             .seen = &o.seen_horizon, CLI_DEFAULT(sd.horizon_small),
                             .default_text = isinf(sd.horizon_small) ? "unlimited" : NULL};
    /* the library accepts an infinite horizon; the option takes none ("inf" not typed) */
    opts[n - 1] = cli_with_range(opts[n - 1], RT("horizon_small"));
    opts[n++] = (cli_option){.name = "rel-tol", .kind = CLI_REAL, .target = &o.rel_tol,
                             .metavar = "TOL", .help = "relative tolerance of kappa (default "
                                                       "%D)", CLI_DEFAULT(pd.rel_tol)};
    opts[n - 1] = cli_with_range(opts[n - 1], R("rel_tol"));
    opts[n++] = (cli_option){.name = "max-iter", .kind = CLI_INT, .target = &o.max_iter,
                             .metavar = "K", .help = "Brent iteration limit (default %D)",
                             CLI_DEFAULT(pd.max_iter)};
    opts[n - 1] = cli_with_range(opts[n - 1], R("max_iter"));
    opts[n++] = (cli_option){.name = "format", .kind = CLI_FORMAT, .target = &o.format,
                             .metavar = "F", .help = "output format (default table)"};

    int rc = cli_parse(&cmd_static_info, opts, n, argc, argv);
    if (rc == CLI_HELP) return 0;
    if (rc == CLI_OK) rc = cli_task_resolve(cmd, &ta);
    /* --M is the task's (task_args: the power law truncated at M modes); with --preset
     * maloney it is their latent dimension, the number of modes of their task */
    o.M = ta.modes;
    o.seen_M = ta.seen_M;
    if (rc == CLI_OK) rc = check_combinations(&o, &ta);
    slt_task *task = NULL;
    slt_statics_workspace *ws = NULL;
    slt_table *table = NULL;
    int worst = 0;
    o.kernel = ta.group == CLI_TASK_KERNEL;
    o.ta = &ta;
    ta.kernel.modes_wanted = cli_kernel_modes_for(o.P.values, o.P.count, o.N.values, o.N.count);
again: /* --kernel: rebuilt with a larger lmax while a bound is too wide (cli_kernel_retry) */
    if (rc == CLI_OK) rc = make_task(&o, &ta, &task);
    if (rc != CLI_OK) goto out;
    o.kernel_final = o.kernel && !cli_kernel_can_retry(&ta.kernel);
    if ((rc = slt_statics_alloc(task, &ws)) || (rc = slt_table_alloc(cmd, &table)) ||
        (rc = echo_params(&o, &ta, task, table))) {
        rc = cli_library_error(cmd, rc);
        goto out;
    }
    if (o.scale_time) rc = run_scale_time(&o, ws, table, &worst);
    else if (o.seen_modes) rc = run_modes(&o, ws, task, table, &worst);
    else if (o.levels) rc = run_levels(&o, ws, task, ta.kernel.degree, table, &worst);
    else rc = run_curves(&o, ws, table, &worst);
    if (!rc && o.kernel_wide && !o.kernel_final && cli_kernel_retry(cmd, &ta.kernel)) {
        slt_table_free(table);
        slt_statics_free(ws);
        slt_task_free(task);
        table = NULL;
        ws = NULL;
        task = NULL;
        worst = o.kernel_wide = 0;
        goto again;
    }
    if (worst < 0) { /* a usage error found late (already printed) */
        rc = CLI_USAGE;
        goto out;
    }
    if (rc) {
        rc = cli_library_error(cmd, rc);
        goto out;
    }
    rc = cli_write_table(cmd, table, o.format);
    if (!rc && worst) rc = slt_exit_class(worst);
out:
    slt_table_free(table);
    slt_statics_free(ws);
    slt_task_free(task);
    cli_kernel_args_free(&ta.kernel);
    cli_list_free(&o.P);
    cli_list_free(&o.N);
    cli_list_free(&o.t);
    return rc;
}
