// Umbrella header for users: everything Fluxion offers. Internal code includes what it uses.
#pragma once

#include "fluxion/autograd.h"
#include "fluxion/device.h"
#include "fluxion/dtype.h"
#include "fluxion/error.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/ops/linalg.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"
#include "fluxion/ops/view.h"
#include "fluxion/random.h"
#include "fluxion/scalar.h"
#include "fluxion/storage.h"
#include "fluxion/tensor.h"
#include "fluxion/threading.h"
#include "fluxion/version.h"
