/* Names shared by every solver and the Monte Carlo: the ensemble's share enum of
 * slt/task.h. Kept here, with the status codes, so that no solver owns a name another
 * module prints. */
#include <string.h>

#include "slt/status.h"
#include "slt/task.h"

/* Indexed by the enum's value; slt_share is numbered 0, 1, 2 in this order. */
static const char *const share_names[] = {"none", "data", "projection"};

#define N_SHARE (sizeof share_names / sizeof *share_names)

const char *slt_share_to_string(slt_share share)
{
    return (int)share >= 0 && (size_t)share < N_SHARE ? share_names[share] : NULL;
}

int slt_share_from_string(const char *name, slt_share *out)
{
    if (!out) return slt_error(SLT_EINVAL, "slt_share_from_string: NULL argument");
    for (size_t i = 0; name && i < N_SHARE; i++)
        if (strcmp(name, share_names[i]) == 0) {
            *out = (slt_share)i;
            return SLT_OK;
        }
    return slt_error(SLT_EINVAL, "share = '%s' is not a known name (expected none, data or "
                     "projection)", name ? name : "(null)");
}
