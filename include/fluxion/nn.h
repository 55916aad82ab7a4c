// Umbrella header for fluxion::nn: modules, containers, layers, losses, initialisation and the
// functional API (fluxion::nn::functional).
#pragma once

#include "fluxion/nn/containers.h"
#include "fluxion/nn/init.h"
#include "fluxion/nn/module.h"
#include "fluxion/ordered_dict.h"

// Layers and losses.
#include "fluxion/nn/activation.h"
#include "fluxion/nn/dropout.h"
#include "fluxion/nn/embedding.h"
#include "fluxion/nn/functional.h"
#include "fluxion/nn/linear.h"
#include "fluxion/nn/loss.h"

// Convolution, pooling, normalisation and upsampling (nn-conv).
#if __has_include("fluxion/nn/conv.h")
#include "fluxion/nn/conv.h"
#endif
#if __has_include("fluxion/nn/pooling.h")
#include "fluxion/nn/pooling.h"
#endif
#if __has_include("fluxion/nn/normalization.h")
#include "fluxion/nn/normalization.h"
#endif
#if __has_include("fluxion/nn/upsample.h")
#include "fluxion/nn/upsample.h"
#endif
