/* Heavy ball with step η (momentum = β, 0 <= β < 1): x_{n+1} = (1 + β − ηu)x_n − βx_{n−1}
 * per mode; the resolvent of the flow at ζ = (s − 1)(s − β)/(ηs), s = e^{ηw}
 * (docs/theory/dmft.md §12). The roots s of s² − (1 + β − ηu)s + β give the modes; the
 * slow ones lie on (√β, 1], the fast and the ringing ones on |s| <= √β (Re w <= −a_d,
 * a_d = −log β/(2η)), and for 1 + β − ηu_max < −2√β one negative root reaches |s| = q > √β
 * (Im w = π/η). Stable iff η·u_max < 2(1 + β). As for the continuous heavy ball: the
 * ellipse until β^{0.45n} and qⁿ are below e^{−37}, then the Talbot contour with nodes
 * left of −0.9a_d dropped. */
#include <math.h>

#include "dmft_internal.h"
#include "slt/status.h"

/* z^n for a whole n >= 0 by repeated squaring (for |z| <= 1, where an error of n·ε
 * relative is multiplied by |z|ⁿ) */
static double complex ipow(double complex z, double n)
{
    double complex r = 1.0;
    unsigned long long k = (unsigned long long)n;
    while (k) {
        if (k & 1ULL) r *= z;
        z *= z;
        k >>= 1;
    }
    return r;
}

/* Discrete heavy ball x_{n+1} = (1 + β − ηu)x_n − βx_{n−1}, x_{−1} = x_0 = 1 (at rest):
 * with r₁,₂ = m ± d the roots of r² − 2mr + β (m = (1 + β − ηu)/2, d² = m² − β),
 * x_n = [r₁^{n+1}(1 − r₂) − r₂^{n+1}(1 − r₁)]/(r₁ − r₂) = U_{n+1} − βU_n with
 * U_k = (r₁^k − r₂^k)/(r₁ − r₂), symmetric in the roots, so entire in u. Returns
 * x_n = e^{log_scale}·val. Near the double root (n|d/m| small) the difference quotient
 * cancels; there U_k = m^{k−1} Σ_j C(k, 2j+1) y^j with y = d²/m² has none. */
static void heavy_ball_discrete(double beta, double eta, double n, double complex u,
                                double *log_scale, double complex *val)
{
    double complex m = 0.5 * (1.0 + beta - eta * u), d = csqrt(m * m - beta);
    if (n < 1) { /* x_0 = 1 */
        *log_scale = 0.0;
        *val = 1.0;
        return;
    }
    if (cabs(m) > 0 && (n + 1.0) * cabs(d / m) < 0.5) {
        /* S1 = Σ C(n+1, 2j+1) y^j, S0 = Σ C(n, 2j+1) y^j: x_n = m^{n−1}(m·S1 − β·S0) */
        double complex y = d * d / (m * m), S1 = 0, S0 = 0, t1 = n + 1.0, t0 = n;
        for (int j = 0; j < 40; j++) {
            S1 += t1;
            S0 += t0;
            double den = (2.0 * j + 2.0) * (2.0 * j + 3.0);
            t1 *= (n - 2.0 * j) * (n - 2.0 * j - 1.0) / den * y;
            t0 *= (n - 2.0 * j - 1.0) * (n - 2.0 * j - 2.0) / den * y;
            if (cabs(t1) + cabs(t0) <= 1e-17 * (cabs(S1) + cabs(S0))) break;
        }
        double complex ph = m / cabs(m);
        *log_scale = (n - 1.0) * log(cabs(m));
        *val = ipow(ph, n - 1.0) * (m * S1 - beta * S0);
        return;
    }
    /* The roots r = m ± d and their distances 1 − r = h ∓ d from 1 (h = 1 − m), each
     * pair by the product rule, never by a difference that cancels: with d chosen so that
     * |m + d| >= |m − d|, r₁ = m + d and r₂ = β/r₁ (r₁r₂ = β); of h ± d the larger in
     * modulus is formed directly and the other is ηu over it ((h − d)(h + d) = ηu). As
     * β → 0 the small root is β/r₁, not 1 − ηu/(h + d), which rounds to ε·|r₁| when
     * Re ηu > 1 and then made r₁ = β/r₂ wrong (the cancellation behind momentum 1e-20). */
    double complex h = 0.5 * (1.0 - beta + eta * u), eu = eta * u;
    if (creal(conj(m) * d) < 0) d = -d;
    double complex r1 = m + d, r2 = beta / r1;
    double complex om1 = h - d, om2 = h + d; /* 1 − r₁, 1 − r₂ */
    if (cabs(om1) >= cabs(om2)) om2 = eu / om1;
    else om1 = eu / om2;
    /* logarithms: of 1 − (1 − r) near r = 1 (the slow mode, where n·log r needs the
     * digits of ηu), of r itself elsewhere */
    double complex L1 = cabs(om1) < 0.5 ? dmft_clog1p(-om1) : clog(r1);
    double complex L2 = cabs(om2) < 0.5 ? dmft_clog1p(-om2) : clog(r2);
    /* |r₁| >= √β > 0; factor r₁ⁿ out, |r₂/r₁| <= 1; r₁ − r₂ = 2d */
    *log_scale = n * creal(L1);
    *val = cexp(I * n * cimag(L1)) * (r1 * om2 - r2 * cexp(n * (L2 - L1)) * om1) / (2.0 * d);
}

static int hbd_check(const slt_dmft_params *p, const char *w, slt_dmft_rule *rule)
{
    if (!(p->momentum < 1))
        return *rule = SLT_DMFT_RULE_HEAVY_BALL_BETA, slt_error(SLT_EINVAL, "%s: momentum = %.17g with eta = %g: with a step, momentum is "
                         "the heavy-ball coefficient beta (expected 0 <= momentum < 1)", w,
                         p->momentum, p->eta);
    return SLT_OK;
}

static void hbd_mode(const slt_dmft_workspace *w, double t, double steps, double complex u,
                     double complex *phi, double complex *dphi)
{
    (void)t;
    double ls;
    double complex v;
    heavy_ball_discrete(w->momentum, w->eta, steps, u, &ls, &v);
    *phi = exp(ls) * v;
    *dphi = NAN;
}

static double hbd_log_mode(const slt_dmft_workspace *w, double t, double steps, double complex u)
{
    (void)t;
    double ls;
    double complex v;
    heavy_ball_discrete(w->momentum, w->eta, steps, u, &ls, &v);
    return ls + log(cabs(v));
}

/* V(s) = ((s − β)/η)·V_flow(ζ(s)), and
 * (1/2πi)∮ V s^{n−1} ds = (1/2πi)∫ e^{wt}(s − β)V_flow(ζ) dw */
static void hbd_laplace(const slt_dmft_workspace *w, dmft_node *nd)
{
    const double eta = w->eta, mu = w->momentum;
    double complex e = cexp(eta * nd->w);
    nd->z = dmft_cexpm1(eta * nd->w) * (e - mu) / (eta * e);
    nd->c *= e - mu;
}

static double complex hbd_map(const slt_dmft_workspace *w, double complex x, void *ctx)
{
    (void)ctx;
    double complex s = cexp(w->eta * x);
    return dmft_cexpm1(w->eta * x) * (s - w->momentum) / (w->eta * s);
}

static void hbd_plan(slt_dmft_workspace *w, dmft_plan *pl)
{
    double umax, beta = w->momentum;
    pl->rc = dmft_spectrum_edge(w, &umax);
    if (!pl->rc && w->eta * umax >= 2.0 * (1.0 + beta))
        pl->rc = slt_error(SLT_EDOM, "dmft: heavy ball with eta = %.17g, momentum = %.17g is "
                           "unstable: eta*u_max = %.6g >= 2(1 + momentum) (u_max = %.6g, the "
                           "top of the spectrum of K)", w->eta, beta, w->eta * umax, umax);
    double c = 1.0 + beta - w->eta * umax;
    if (!pl->rc && c < -2.0 * sqrt(beta)) {
        pl->osc_q = 0.5 * (-c + sqrt(c * c - 4.0 * beta));
        pl->osc_steps = 37.0 / -log(pl->osc_q);
    }
    pl->a = -log(beta) / (2.0 * w->eta);
    pl->cut = 1;
    pl->t_ellipse = 37.0 / (0.9 * pl->a);
    pl->talbot_cut = -0.9 * pl->a;
}

static int hbd_use_ellipse(const slt_dmft_workspace *w, const dmft_plan *pl, double t,
                           double steps, int M2)
{
    double r_eta = 2.0 * M2 / (5.0 * t) * w->eta;
    return r_eta >= 0.9 || t < pl->t_ellipse || (pl->osc_q > 0 && steps < pl->osc_steps);
}

static double hbd_drop(const dmft_plan *pl, double t, double steps)
{
    double drop = pl->osc_q > 0 ? 4.0 * pow(pl->osc_q, steps) : 0.0;
    return drop + 4.0 * exp(-0.9 * pl->a * t);
}

const dmft_dynamics dmft_dyn_heavy_ball_discrete = {
    .name = "heavy_ball_discrete",
    .discrete = 1,
    .one_d = 0,
    .ellipse_hint = "eta*u_max is too close to 2 for this many steps",
    .check = hbd_check,
    .mode = hbd_mode,
    .log_mode = hbd_log_mode,
    .laplace = hbd_laplace,
    .walk_map = hbd_map,
    .plan = hbd_plan,
    .use_ellipse = hbd_use_ellipse,
    .drop = hbd_drop,
};
