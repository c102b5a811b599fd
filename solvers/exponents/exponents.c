/* Closed-form scaling exponents of a power-law task (docs/theory/conventions.md §5, §8, §9).
 *
 * Every value here is a formula in (α, β); docs/theory/exponents.md lists each formula,
 * its source and its status tag. Notes are plain ASCII so that every table format (the
 * aligned text table, LaTeX) shows them unchanged. */
#include "slt/exponents.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "slt/status.h"

/* The identifiers, in output order. The count is fixed: every row exists for every
 * (α, β); a row without a formula carries NaN and a note. */
enum {
    ROW_REGIME,
    ROW_TIME,
    ROW_WIDTH_FLOOR,
    ROW_DATA_FLOOR,
    ROW_BIAS_WIDTH,
    ROW_GAP_EARLY,
    ROW_GAP_LATE,
    ROW_RESOLUTION_N,
    ROW_RESOLUTION_P,
    ROW_VARIANCE_N,
    ROW_VARIANCE_P,
    ROW_COMPUTE_N,
    ROW_COMPUTE_T,
    ROW_COMPUTE_L,
    ROW_SGD_N,
    ROW_SGD_T,
    ROW_SGD_L,
    ROW_CROSSOVER_GAMMA,
    ROW_RICH_GAMMA,
    ROW_COUNT
};

static const struct {
    const char *quantity;
    const char *definition;
} row_names[ROW_COUNT] = {
    [ROW_REGIME] = {"regime", "the task's regime (conventions sec. 5); no exponent"},
    [ROW_TIME] = {"time", "L ~ t^-e at N = P = inf (gradient flow)"},
    [ROW_WIDTH_FLOOR] = {"width_floor", "L ~ N^-e at P = inf, t -> inf (ridgeless)"},
    [ROW_DATA_FLOOR] = {"data_floor", "L ~ P^-e at N = inf, t -> inf (ridgeless KRR)"},
    [ROW_BIAS_WIDTH] = {"bias_width",
                        "L ~ N^-e at P = inf, bias only / infinite ensemble"},
    [ROW_GAP_EARLY] = {"gap_early", "L(t,N) - L(t,inf) ~ N^-e while t << N^alpha"},
    [ROW_GAP_LATE] = {"gap_late", "L(t,N) - L(t,inf) ~ N^-e once t >> N^alpha"},
    [ROW_RESOLUTION_N] = {"resolution_N", "resolution-limited L ~ N^-e (P = inf)"},
    [ROW_RESOLUTION_P] = {"resolution_P", "resolution-limited L ~ P^-e (N = inf)"},
    [ROW_VARIANCE_N] = {"variance_N",
                        "variance-limited L - L(N=inf) ~ N^-e at fixed P < N"},
    [ROW_VARIANCE_P] = {"variance_P",
                        "variance-limited L - L(P=inf) ~ P^-e at fixed N < P"},
    [ROW_COMPUTE_N] = {"compute_N_star", "N* ~ C^e, gradient flow / full-batch GD, C = N t"},
    [ROW_COMPUTE_T] = {"compute_t_star", "t* ~ C^e, gradient flow / full-batch GD"},
    [ROW_COMPUTE_L] = {"compute_L_star", "L* ~ C^-e, gradient flow / full-batch GD"},
    [ROW_SGD_N] = {"sgd_N_star", "N* ~ C^e, online SGD at fixed batch B"},
    [ROW_SGD_T] = {"sgd_t_star", "t* ~ C^e, online SGD at fixed batch B"},
    [ROW_SGD_L] = {"sgd_L_star", "L* ~ C^-e, online SGD at fixed batch B"},
    [ROW_CROSSOVER_GAMMA] = {"crossover_gamma", "lazy->rich crossover time t_x ~ gamma^-e"},
    [ROW_RICH_GAMMA] = {"rich_gamma", "late rich loss L ~ gamma^-e at fixed t"},
};

/* ---- Regimes ------------------------------------------------------------------- */

double slt_difficulty_super_easy_threshold(double alpha)
{
    if (!(alpha > 1.0) || isinf(alpha)) return NAN;
    return 2.0 - 1.0 / alpha;
}

static int check_alpha_beta(const char *where, double alpha, double beta)
{
    int rc = slt_check_range(where, "alpha", alpha, 1.0, 1, INFINITY, 1);
    if (!rc) rc = slt_check_range(where, "beta", beta, 0.0, 1, INFINITY, 1);
    return rc;
}

static int at_boundary(double beta, double bound)
{
    return fabs(beta - bound) <= SLT_DIFFICULTY_BOUNDARY_RTOL * bound;
}

/* Assumes validated input. */
static slt_difficulty classify(double alpha, double beta)
{
    double s = slt_difficulty_super_easy_threshold(alpha);
    if (at_boundary(beta, 1.0)) return SLT_DIFFICULTY_HARD_EASY;
    if (beta < 1.0) return SLT_DIFFICULTY_HARD;
    if (at_boundary(beta, s)) return SLT_DIFFICULTY_EASY_SUPER;
    return beta < s ? SLT_DIFFICULTY_EASY : SLT_DIFFICULTY_SUPER_EASY;
}

int slt_difficulty_of(double alpha, double beta, slt_difficulty *regime)
{
    static const char *w = "slt_difficulty_of";
    if (!regime) return slt_error(SLT_EINVAL, "%s: output pointer is NULL", w);
    int rc = check_alpha_beta(w, alpha, beta);
    if (rc) return rc;
    *regime = classify(alpha, beta);
    return SLT_OK;
}

const char *slt_difficulty_name(slt_difficulty regime)
{
    switch (regime) {
    case SLT_DIFFICULTY_HARD: return "hard";
    case SLT_DIFFICULTY_HARD_EASY: return "hard/easy";
    case SLT_DIFFICULTY_EASY: return "easy";
    case SLT_DIFFICULTY_EASY_SUPER: return "easy/super-easy";
    case SLT_DIFFICULTY_SUPER_EASY: return "super-easy";
    }
    return "unknown";
}

/* ---- Rows ---------------------------------------------------------------------- */

size_t slt_exponents_count(void) { return ROW_COUNT; }

static void set_row(slt_exponent_row *r, int id, double lazy, double rich, const char *regime,
                    const char *status, const char *source)
{
    r->quantity = row_names[id].quantity;
    r->definition = row_names[id].definition;
    r->lazy = lazy;
    r->rich = rich;
    r->regime = regime;
    r->status = status;
    r->source = source;
    r->note[0] = '\0';
}

/* Appends to a row's note, separating sentences with "; ". Truncates silently at the
 * buffer size (the notes written here are all far shorter). */
static void note(slt_exponent_row *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void note(slt_exponent_row *r, const char *fmt, ...)
{
    size_t len = strlen(r->note);
    if (len + 3 >= sizeof r->note) return;
    if (len > 0) {
        memcpy(r->note + len, "; ", 3);
        len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->note + len, sizeof r->note - len, fmt, ap);
    va_end(ap);
}

/* The three compute-optimal exponents (N*, t*, L*) of one balance. */
typedef struct {
    double n, t, l;
} compute_opt;

/* Lazy hard: t^-β against N^-αβ. */
static compute_opt compute_lazy_hard(double a, double b)
{
    compute_opt c = {1.0 / (1.0 + a), a / (1.0 + a), a * b / (1.0 + a)};
    return c;
}

/* Rich hard: t^-χ, χ = 2β/(1+β), against N^-αβ. */
static compute_opt compute_rich_hard(double a, double b)
{
    double d = a * (1.0 + b) + 2.0;
    compute_opt c = {2.0 / d, a * (1.0 + b) / d, 2.0 * a * b / d};
    return c;
}

/* β >= 1 under gradient flow / GD, lazy and rich: t^-β against N^-1 t^-(1-1/α). */
static compute_opt compute_easy(double a, double b)
{
    double d = a * b + 1.0;
    compute_opt c = {(a * b - a + 1.0) / d, a / d, a * b / d};
    return c;
}

/* Super-easy, online SGD: (η/B) t^-(2-1/α) against N^-1 t^-(1-1/α). */
static compute_opt compute_super_easy(double a)
{
    compute_opt c = {0.5, 0.5, 1.0 - 1.0 / (2.0 * a)};
    return c;
}

static double pick(const compute_opt *c, int which)
{
    return which == 0 ? c->n : which == 1 ? c->t : c->l;
}

static void fill_regime_row(slt_exponent_row *r, slt_difficulty g, double alpha, double beta)
{
    double s = slt_difficulty_super_easy_threshold(alpha);
    set_row(r, ROW_REGIME, NAN, NAN, slt_difficulty_name(g), "[P] boundaries; [D] conversions",
            "conventions.md §5, §6.5; exponents.md Regimes");
    switch (g) {
    case SLT_DIFFICULTY_HARD:
        note(r, "hard: beta = %.6g < 1, the target lies outside the RKHS of the initial "
                "kernel; feature learning changes the time and compute exponents "
                "(PLRF phase I, identification [U])", beta);
        break;
    case SLT_DIFFICULTY_HARD_EASY:
        note(r, "exactly at beta = 1, the hard/easy boundary: the hard and easy formulas "
                "give the same values (every exponent is continuous there); the RKHS norm "
                "of the target diverges logarithmically, so expect logarithmic corrections "
                "to the power laws [D]; there is no lazy->rich crossover power law");
        break;
    case SLT_DIFFICULTY_EASY:
        note(r, "easy: 1 < beta = %.6g < 2 - 1/alpha = %.6g; time exponent beta, lazy and "
                "rich alike (PLRF phase II, identification [U])", beta, s);
        break;
    case SLT_DIFFICULTY_EASY_SUPER:
        note(r, "exactly at beta = 2 - 1/alpha = %.6g, the easy/super-easy boundary: with "
                "online SGD the noise term t^-(2-1/alpha) decays exactly as fast as "
                "t^-beta, and the easy and super-easy formulas give the same values", s);
        break;
    case SLT_DIFFICULTY_SUPER_EASY:
        note(r, "super-easy: beta = %.6g > 2 - 1/alpha = %.6g; only online SGD at fixed "
                "batch differs (its noise term sets the compute-optimal balance); under "
                "gradient flow / full-batch GD the easy formulas hold (PLRF phase III, "
                "identification [U])", beta, s);
        break;
    }
    note(r, "boundaries are exact up to a relative %.0e", SLT_DIFFICULTY_BOUNDARY_RTOL);
}

static void fill_rows(double alpha, double beta, slt_exponent_row *rows)
{
    const double a = alpha, b = beta;
    const slt_difficulty g = classify(a, b);
    const char *gname = slt_difficulty_name(g);
    const int hard = (g == SLT_DIFFICULTY_HARD);
    const int super = (g == SLT_DIFFICULTY_SUPER_EASY);
    const double m1 = a * fmin(b, 1.0); /* width exponent (derived) */
    const double m2 = a * fmin(b, 2.0); /* data / bias exponent; reported width exponent */
    slt_exponent_row *r;

    fill_regime_row(&rows[ROW_REGIME], g, a, b);

    /* Time: lazy β for every β (no saturation); rich χ(β) = β max(1, 2/(1+β)). */
    r = &rows[ROW_TIME];
    set_row(r, ROW_TIME, b, hard ? 2.0 * b / (1.0 + b) : b, gname,
            "lazy [A] exponent, [DC] constant; rich [P]",
            "conventions.md §8.1, §8.2; exponents.md time");
    note(r, "lazy: L ~ Gamma(beta)/alpha (2t)^-beta [DC], no saturation in beta");
    if (hard)
        note(r, "rich: chi = 2 beta/(1+beta) (2024b Eq. 10) because the readout norm grows "
                "without bound for beta < 1");
    else
        note(r, "rich = lazy for beta >= 1: feature learning only speeds time up by the "
                "constant factor (1 + gamma ||w*||^2)");

    /* Width floor: derived α·min(β,1); the paper is reported to state α·min(β,2). */
    r = &rows[ROW_WIDTH_FLOOR];
    set_row(r, ROW_WIDTH_FLOOR, m1, m1, gname, "[DC]; rich [DC]",
            "conventions.md §8.1, §8.2, §9.1; exponents.md width_floor");
    note(r, "paper reported to state alpha*min(beta,2); differs only for beta > 1");
    if (b > 1.0 && !(g == SLT_DIFFICULTY_HARD_EASY))
        note(r, "here the reported value would be %.6g; the table lists the derived %.6g "
                "(conventions sec. 9.1)", m2, m1);
    note(r, "rich: same as lazy, the function class is unchanged");

    /* Data floor (ridgeless KRR). */
    r = &rows[ROW_DATA_FLOOR];
    set_row(r, ROW_DATA_FLOOR, m2, NAN, "any", "lazy [A] exponent, [DC] constant",
            "conventions.md §8.1, §8.2, §9.3; exponents.md data_floor");
    if (b >= 2.0) note(r, "KRR saturation: the exponent stays at 2 alpha for beta >= 2");
    note(r, "rich: no static formula, the interpolant depends on the training trajectory");

    /* Bias only / infinite ensemble at P = ∞. */
    r = &rows[ROW_BIAS_WIDTH];
    set_row(r, ROW_BIAS_WIDTH, m2, NAN, "any", "[DC]",
            "conventions.md §8.1, §9.1; exponents.md bias_width");
    note(r, "bias-only sum kappa_N^2 T2(kappa_N); a plausible origin of the width exponent "
            "alpha*min(beta,2) reported for 2024a (conventions sec. 9.1)");
    note(r, "rich: not derived");

    /* Finite-width gap, early and late. */
    r = &rows[ROW_GAP_EARLY];
    set_row(r, ROW_GAP_EARLY, 1.0, NAN, "any", "[A] form, [DC]",
            "conventions.md §8.1; exponents.md gap_early");
    note(r, "a universal 1/N while t << N^alpha (likewise 1/P while t << P^alpha)");
    note(r, "rich: not derived");

    r = &rows[ROW_GAP_LATE];
    set_row(r, ROW_GAP_LATE, m1, m1, gname, "[DC]; rich [D]",
            "conventions.md §8.1; exponents.md gap_late");
    note(r, "the loss saturates at the width floor; the local slope in N drifts slowly "
            "from 1 towards this value");
    if (b > 1.0 && !(g == SLT_DIFFICULTY_HARD_EASY))
        note(r, "the paper's reported alpha*min(beta,2) = %.6g differs (conventions "
                "sec. 9.1)", m2);
    note(r, "rich: saturates at the same width floor");

    /* Resolution-limited (static, ridgeless). */
    const int isotropic = fabs(b - (a - 1.0) / a) <= 1e-12 * b;
    r = &rows[ROW_RESOLUTION_N];
    set_row(r, ROW_RESOLUTION_N, m1, m1, gname, "[DC]; rich [D]",
            "conventions.md §8.3, §9.1; exponents.md resolution_N");
    note(r, "random features, P = inf, ridgeless (the width floor)");
    if (isotropic)
        note(r, "this is the isotropic teacher of Bahri et al. / Maloney et al.: "
                "alpha - 1 = alpha_K in both N and P");
    else
        note(r, "Bahri et al.'s isotropic teacher, beta = (alpha-1)/alpha, gives "
                "alpha - 1 = alpha_K in both N and P");
    if (b > 1.0 && !(g == SLT_DIFFICULTY_HARD_EASY))
        note(r, "the paper's reported alpha*min(beta,2) = %.6g differs (conventions "
                "sec. 9.1)", m2);

    r = &rows[ROW_RESOLUTION_P];
    set_row(r, ROW_RESOLUTION_P, m2, NAN, "any", "[DC]",
            "conventions.md §8.3; exponents.md resolution_P");
    note(r, "ridgeless KRR (the data floor)");
    if (isotropic) note(r, "isotropic teacher: alpha - 1 = alpha_K");
    if (b >= 2.0) note(r, "saturated at 2 alpha for beta >= 2");
    note(r, "rich: no static formula");

    /* Variance-limited. */
    r = &rows[ROW_VARIANCE_N];
    set_row(r, ROW_VARIANCE_N, 1.0, 1.0, "any", "[P] qualitative; lazy coefficient [D]",
            "conventions.md §8.3; exponents.md variance_N");
    note(r, "ridgeless random features with P < N: L(N,P) - L(inf,P) = P (kappa_P "
            "T1(kappa_P) + sigma^2)/(N - P) exactly");
    note(r, "rich: Bahri et al.'s general argument (smooth loss, well-behaved limit), "
            "no coefficient derived");

    r = &rows[ROW_VARIANCE_P];
    set_row(r, ROW_VARIANCE_P, 1.0, 1.0, "any", "[P] qualitative; lazy coefficient [D]",
            "conventions.md §8.3; exponents.md variance_P");
    note(r, "ridgeless random features with N < P: L(N,P) - L(N,inf) = N (L(N,inf) + "
            "sigma^2)/(P - N) exactly");
    note(r, "rich: Bahri et al.'s general argument (smooth loss, well-behaved limit), "
            "no coefficient derived");

    /* Compute-optimal, gradient flow / full-batch GD (P = ∞, C = N·t). */
    compute_opt lz, rc;
    if (hard) {
        lz = compute_lazy_hard(a, b);
        rc = compute_rich_hard(a, b);
    } else {
        lz = rc = compute_easy(a, b);
    }
    const char *gd_regime = hard ? "hard" : (g == SLT_DIFFICULTY_HARD_EASY ? "hard/easy" : "easy");
    for (int which = 0; which < 3; which++) {
        int id = ROW_COMPUTE_N + which;
        r = &rows[id];
        set_row(r, id, pick(&lz, which), pick(&rc, which), gd_regime,
                hard ? (which == 2 ? "lazy [A], [DC] numerically; rich [P]"
                                   : "lazy [A], [DC] numerically; rich [D]")
                     : "lazy [DC] numerically (slt optimal); rich [D]",
                "conventions.md §8.1, §8.2, §9.2; exponents.md compute_*_star");
        if (hard) {
            note(r, "lazy balances t^-beta against N^-(alpha beta); rich balances "
                    "t^-chi against N^-(alpha beta)");
            if (which == 2)
                note(r, "feature learning improves the exponent by the factor "
                        "2(1+alpha)/(2+alpha+alpha beta) = %.6g",
                     2.0 * (1.0 + a) / (2.0 + a + a * b));
        } else {
            double two_term[2];
            for (int k = 0; k < 2; k++) {
                double m = k == 0 ? m1 : m2;
                double v[3] = {b / (b + m), m / (b + m), b * m / (b + m)};
                two_term[k] = v[which];
            }
            note(r, "balances t^-beta against the finite-width term N^-1 t^-(1-1/alpha) "
                    "(F_ac); checked against the frontier computed from the lazy DMFT (slt optimal, "
                    "docs/theory/optimal.md sec. 7)");
            note(r, "the two-term balance t^-beta + N^-m would give %.6g with the derived "
                    "m = alpha min(beta,1) or %.6g with the reported m = alpha min(beta,2), "
                    "but it is not the binding balance for beta > 1",
                 two_term[0], two_term[1]);
            if (g == SLT_DIFFICULTY_HARD_EASY)
                note(r, "at beta = 1 the hard and easy formulas agree");
            if (g == SLT_DIFFICULTY_EASY_SUPER || super)
                note(r, "gradient flow / full-batch GD has no SGD-noise term, so the easy "
                        "formula holds for every beta > 1");
            note(r, "lazy and rich alike");
        }
    }

    /* Compute-optimal, online SGD at fixed batch. */
    compute_opt sl = lz, sr = rc;
    if (super) sl = sr = compute_super_easy(a);
    for (int which = 0; which < 3; which++) {
        int id = ROW_SGD_N + which;
        r = &rows[id];
        set_row(r, id, pick(&sl, which), pick(&sr, which), gname,
                hard || !super ? rows[ROW_COMPUTE_N + which].status
                               : "lazy [DC] numerically (slt optimal --sgd); rich [D]",
                "conventions.md §8.2; exponents.md sgd_*_star");
        if (super) {
            note(r, "super-easy: the SGD-noise term (eta/B) t^-(2-1/alpha) balances "
                    "N^-1 t^-(1-1/alpha); lazy and rich alike; checked against the lazy online-SGD "
                    "frontier (slt optimal --sgd, docs/theory/optimal.md sec. 7b)");
            note(r, "differs from gradient flow (compute_* rows)");
        } else {
            note(r, "same as gradient flow: the SGD-noise term (eta/B) t^-(2-1/alpha) "
                    "decays %s t^-beta for beta %s 2 - 1/alpha",
                 g == SLT_DIFFICULTY_EASY_SUPER ? "as fast as" : "faster than",
                 g == SLT_DIFFICULTY_EASY_SUPER ? "=" : "<");
            if (g == SLT_DIFFICULTY_EASY_SUPER)
                note(r, "at the boundary the easy and super-easy formulas agree");
        }
    }

    /* Lazy->rich crossover and the γ-dependence of the rich loss (hard tasks only). */
    r = &rows[ROW_CROSSOVER_GAMMA];
    set_row(r, ROW_CROSSOVER_GAMMA, NAN, hard ? 1.0 / (1.0 - b) : NAN, gname, "[D]",
            "conventions.md §8.2; exponents.md crossover_gamma");
    note(r, "lazy: gamma = 0, no crossover");
    if (hard)
        note(r, "rich: crossover at gamma q ~ 1 with q ~ t^(1-chi) (isotropic reduction); "
                "the normalisation of gamma moves only the prefactor");
    else
        note(r, "no crossover power law for beta >= 1: feature learning only rescales time "
                "by (1 + gamma ||w*||^2); 1/(1-beta) diverges as beta -> 1 from below");

    r = &rows[ROW_RICH_GAMMA];
    set_row(r, ROW_RICH_GAMMA, NAN, hard ? b / (1.0 + b) : NAN, gname, "[DC]",
            "conventions.md §8.2; exponents.md rich_gamma");
    note(r, "lazy: gamma = 0");
    if (hard)
        note(r, "rich: L ~ c (sqrt(gamma) t)^(-2 beta/(1+beta)) at late t (isotropic "
                "reduction)");
    else
        note(r, "for beta >= 1 gamma enters only through the constant speed-up "
                "(1 + gamma ||w*||^2) of time; no power law in gamma is tabulated");
}

int slt_exponents_compute(double alpha, double beta, slt_exponent_row *rows, size_t cap,
                          size_t *n)
{
    static const char *w = "slt_exponents_compute";
    if (!n) return slt_error(SLT_EINVAL, "%s: n (the row count output) is NULL", w);
    *n = ROW_COUNT;
    int rc = check_alpha_beta(w, alpha, beta);
    if (rc) return rc;
    if (cap < ROW_COUNT || !rows)
        return slt_error(SLT_EINVAL, "%s: cap = %zu rows is too small (expected cap >= %d "
                         "and rows not NULL)", w, cap, (int)ROW_COUNT);
    fill_rows(alpha, beta, rows);
    /* α, β near the top of the double range: a product like αβ overflows, and an
     * infinite exponent would be printed as a value */
    for (size_t i = 0; i < ROW_COUNT; i++)
        if (isinf(rows[i].lazy) || isinf(rows[i].rich))
            return slt_error(SLT_EDOM, "%s: the %s exponent is beyond the range of a double at "
                             "alpha = %.17g, beta = %.17g (products such as alpha*beta must "
                             "stay finite)", w, rows[i].quantity, alpha, beta);
    return SLT_OK;
}

const slt_exponent_row *slt_exponents_find(const slt_exponent_row *rows, size_t n,
                                           const char *quantity)
{
    if (!rows || !quantity) return NULL;
    for (size_t i = 0; i < n; i++)
        if (rows[i].quantity && strcmp(rows[i].quantity, quantity) == 0) return &rows[i];
    return NULL;
}
