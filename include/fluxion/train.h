// fluxion::train umbrella: Trial (the training loop), metrics, callbacks, TensorBoard event files and
// training-curve plots. User guide: docs/training.md.
#pragma once

#include "fluxion/train/callbacks.h"
#include "fluxion/train/datasets.h"
#include "fluxion/train/metrics.h"
#include "fluxion/train/plot.h"
#include "fluxion/train/tensorboard.h"
#include "fluxion/train/trial.h"
