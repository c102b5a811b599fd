/* The registry of lazy-DMFT dynamics: the one place that reads eta, momentum and batch to
 * decide which dynamics the parameters describe. Everything after it calls through the
 * chosen dmft_dynamics (dmft_internal.h; one dyn_<name>.c per dynamics). */
#include "dmft_internal.h"

/* the dynamics, one file each (dyn_<name>.c) */
extern const dmft_dynamics dmft_dyn_flow, dmft_dyn_gd, dmft_dyn_heavy_ball,
    dmft_dyn_heavy_ball_discrete, dmft_dyn_sgd;

const dmft_dynamics *dmft_dynamics_select(const slt_dmft_params *p)
{
    /* one line per dynamics, the most specific first */
    if (p->batch > 0) return &dmft_dyn_sgd;
    if (p->eta > 0 && p->momentum > 0) return &dmft_dyn_heavy_ball_discrete;
    if (p->eta > 0) return &dmft_dyn_gd;
    if (p->momentum > 0) return &dmft_dyn_heavy_ball;
    return &dmft_dyn_flow;
}
