// fluxion I/O umbrella: safetensors save/load and training checkpoints.
#pragma once

#include "fluxion/io/checkpoint.h"
#include "fluxion/io/safetensors.h"
