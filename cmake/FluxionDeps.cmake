# Third-party dependencies, all from Debian's packages (see scripts/setup.sh).
find_package(OpenMP REQUIRED)
find_package(Threads REQUIRED)

# OpenBLAS: prefer the OpenMP build so GEMM shares our libgomp thread pool (no oversubscription,
# no second spinning pool on a 2-core machine); fall back to the default (pthreads) build.
find_path(FLUXION_CBLAS_INCLUDE_DIR cblas.h PATHS /usr/include/x86_64-linux-gnu/openblas-openmp
          /usr/include/x86_64-linux-gnu/openblas-pthread /usr/include/openblas /usr/include REQUIRED)
find_library(FLUXION_OPENBLAS_LIBRARY NAMES openblas libopenblas.so.0
             PATHS /usr/lib/x86_64-linux-gnu/openblas-openmp NO_DEFAULT_PATH)
if(FLUXION_OPENBLAS_LIBRARY)
  set(FLUXION_BLAS_VENDOR "OpenBLAS (OpenMP)")
else()
  find_library(FLUXION_OPENBLAS_LIBRARY NAMES openblas REQUIRED)
  set(FLUXION_BLAS_VENDOR "OpenBLAS (pthreads)")
endif()
message(STATUS "Fluxion BLAS: ${FLUXION_BLAS_VENDOR} at ${FLUXION_OPENBLAS_LIBRARY}")
find_package(nlohmann_json 3 CONFIG REQUIRED)

# Data readers: zlib (gzipped IDX files), libpng and libjpeg (ImageFolder, `fluxion predict`).
# Linked as plain library paths: their headers live in the default include path, so no include
# flag is added to every library source (which would recompile the whole library).
find_package(ZLIB REQUIRED)
find_package(PNG REQUIRED)
find_package(JPEG REQUIRED)
set(FLUXION_IMAGE_LIBRARIES ${PNG_LIBRARIES} ${JPEG_LIBRARIES} ${ZLIB_LIBRARIES})
