// Umbrella for fluxion::nn::functional (torch.nn.functional): stateless versions of the layers.
#pragma once

#include "fluxion/nn/functional/activation.h"
#include "fluxion/nn/functional/dropout.h"
#include "fluxion/nn/functional/embedding.h"
#include "fluxion/nn/functional/linear.h"
#include "fluxion/nn/functional/loss.h"
#if __has_include("fluxion/nn/functional/conv.h")
#include "fluxion/nn/functional/conv.h"
#endif
#if __has_include("fluxion/nn/functional/pooling.h")
#include "fluxion/nn/functional/pooling.h"
#endif
#if __has_include("fluxion/nn/functional/normalization.h")
#include "fluxion/nn/functional/normalization.h"
#endif
#if __has_include("fluxion/nn/functional/upsample.h")
#include "fluxion/nn/functional/upsample.h"
#endif
