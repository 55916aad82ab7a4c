// Umbrella header for the data API (fx::data): datasets, samplers, DataLoader, transforms, readers.
#pragma once

#include "fluxion/data/cifar.h"
#include "fluxion/data/collate.h"
#include "fluxion/data/csv.h"
#include "fluxion/data/dataloader.h"
#include "fluxion/data/dataset.h"
#include "fluxion/data/image.h"
#include "fluxion/data/image_folder.h"
#include "fluxion/data/mnist.h"
#include "fluxion/data/sampler.h"
#include "fluxion/data/stream_loader.h"
#include "fluxion/data/text.h"
#include "fluxion/data/transforms.h"
