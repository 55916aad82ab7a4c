// CSV/TSV reader: numeric fields only, optional header, one target column.
#include "fluxion/data/csv.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "file_util.h"
#include "fluxion/error.h"
#include "fluxion/ops/creation.h"

namespace fluxion::data {

namespace {

std::vector<std::string> split_line(const std::string& line, char delim) {
  std::vector<std::string> out;
  std::string field;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;  // quotes only group; numeric fields never contain them in practice
    } else if (c == delim && !quoted) {
      out.push_back(field);
      field.clear();
    } else {
      field.push_back(c);
    }
  }
  out.push_back(field);
  return out;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

double parse_number(const std::string& raw, const std::string& path, int64_t line, size_t col) {
  const std::string s = trim(raw);
  FX_CHECK(!s.empty(), "CSV file '", path, "' line ", line, " column ", col + 1, ": empty field");
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  FX_CHECK(end == s.c_str() + s.size() && errno != ERANGE, "CSV file '", path, "' line ", line, " column ", col + 1,
           ": '", s, "' is not a number");
  return v;
}

}  // namespace

CsvTable read_csv(const std::string& path, const CsvOptions& o) {
  const std::vector<uint8_t> bytes = detail::read_file_bytes(path);
  const std::string text(bytes.begin(), bytes.end());
  const bool tsv = path.ends_with(".tsv") || path.ends_with(".tab") || path.ends_with(".tsv.gz");
  const char delim = o.delimiter != 0 ? o.delimiter : (tsv ? '\t' : ',');
  CsvTable table;
  std::vector<std::vector<double>> rows;
  size_t ncols = 0;
  int64_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (trim(line).empty()) continue;
    FX_CHECK(line.find('\0') == std::string::npos, "CSV file '", path, "' line ", line_no, ": binary data");
    std::vector<std::string> fields = split_line(line, delim);
    if (ncols == 0) ncols = fields.size();
    FX_CHECK(fields.size() == ncols, "CSV file '", path, "' line ", line_no, ": ", fields.size(), " fields, expected ",
             ncols);
    if (o.header && table.columns.empty() && rows.empty()) {
      for (auto& f : fields) table.columns.push_back(trim(f));
      continue;
    }
    std::vector<double> row(ncols);
    for (size_t c = 0; c < ncols; ++c) row[c] = parse_number(fields[c], path, line_no, c);
    rows.push_back(std::move(row));
  }
  FX_CHECK(!rows.empty(), "CSV file '", path, "': no data rows");

  int64_t target = -1;
  if (!o.no_target) {
    if (!o.target_name.empty()) {
      for (size_t c = 0; c < table.columns.size(); ++c)
        if (table.columns[c] == o.target_name) target = static_cast<int64_t>(c);
      FX_CHECK(target >= 0, "CSV file '", path, "': no column named '", o.target_name, "'");
    } else {
      target = o.target_column < 0 ? static_cast<int64_t>(ncols) + o.target_column : o.target_column;
      FX_CHECK(target >= 0 && target < static_cast<int64_t>(ncols), "CSV file '", path, "': target column ",
               o.target_column, " out of range for ", ncols, " columns");
    }
  }
  const auto N = static_cast<int64_t>(rows.size());
  const auto F = static_cast<int64_t>(ncols) - (target >= 0 ? 1 : 0);
  table.data = empty({N, F}, TensorOptions(kFloat32));
  float* d = table.data.data_ptr<float>();
  if (target >= 0) table.targets = empty({N}, TensorOptions(o.integer_target ? kInt64 : kFloat32));
  for (int64_t i = 0; i < N; ++i) {
    const auto& row = rows[static_cast<size_t>(i)];
    int64_t f = 0;
    for (size_t c = 0; c < ncols; ++c) {
      if (static_cast<int64_t>(c) == target) {
        if (o.integer_target) {
          FX_CHECK(row[c] == std::floor(row[c]) && std::fabs(row[c]) < 9.0e18, "CSV file '", path, "' data row ", i + 1,
                   ": target ", row[c], " is not an integer class index");
          table.targets.data_ptr<int64_t>()[i] = static_cast<int64_t>(row[c]);
        } else {
          table.targets.data_ptr<float>()[i] = static_cast<float>(row[c]);
        }
      } else {
        d[i * F + f++] = static_cast<float>(row[c]);
      }
    }
  }
  return table;
}

DatasetPtr csv_dataset(const std::string& path, const CsvOptions& options) {
  CsvTable t = read_csv(path, options);
  return std::make_shared<TensorDataset>(std::move(t.data), std::move(t.targets));
}

}  // namespace fluxion::data
