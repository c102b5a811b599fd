/* slt/slt.h — umbrella header: every public slt interface. */
#ifndef SLT_SLT_H
#define SLT_SLT_H

#include "slt/status.h"
#include "slt/task.h"
#include "slt/table.h"
#include "slt/exponents.h"
#include "slt/kernels.h"
#include "slt/statics.h"
#include "slt/dmft.h"
#include "slt/mc.h"
#include "slt/featlearn.h"
#include "slt/optimal.h"

#endif
