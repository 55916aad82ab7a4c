// fluxion::optim umbrella: optimizers, LR schedulers and gradient clipping.
#pragma once

#include "fluxion/optim/adadelta.h"
#include "fluxion/optim/adagrad.h"
#include "fluxion/optim/adam.h"
#include "fluxion/optim/adamax.h"
#include "fluxion/optim/clip_grad.h"
#include "fluxion/optim/lbfgs.h"
#include "fluxion/optim/lr_scheduler.h"
#include "fluxion/optim/nadam.h"
#include "fluxion/optim/optimizer.h"
#include "fluxion/optim/radam.h"
#include "fluxion/optim/rmsprop.h"
#include "fluxion/optim/sgd.h"
