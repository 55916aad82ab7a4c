// CSV / TSV tables of numbers: features and a target column.
#pragma once

#include <string>
#include <vector>

#include "fluxion/data/mnist.h"

namespace fluxion::data {

struct CsvOptions {
  char delimiter = 0;          // 0: '\t' for a .tsv/.tab file, ',' otherwise
  bool header = true;          // first line holds column names
  int64_t target_column = -1;  // index (negative counts from the end); ignored if target_name set
  std::string target_name;     // column name (needs header)
  bool no_target = false;      // every column is a feature; targets undefined
  bool integer_target = true;  // int64 targets (class indices) rather than float32
};

/// A parsed table.
struct CsvTable {
  std::vector<std::string> columns;  // header names (empty without a header)
  Tensor data;                       // float32 (N, F)
  Tensor targets;                    // int64 or float32 (N,)
};

/// Reads `path`; every field must be a number (error names file, line and column otherwise).
CsvTable read_csv(const std::string& path, const CsvOptions& options = {});
/// read_csv as a TensorDataset.
DatasetPtr csv_dataset(const std::string& path, const CsvOptions& options = {});

}  // namespace fluxion::data
