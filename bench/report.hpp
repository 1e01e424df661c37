// The benchmark's results: one Row per workload, printed as a markdown table, written as JSON
// and drawn as an SVG bar chart of the ratios against their targets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bench {

struct Row {
    Row(std::string id_, std::string what_, std::string unit_, double target_, bool target_is_ratio_ = true)
        : id(std::move(id_)),
          what(std::move(what_)),
          unit(std::move(unit_)),
          target(target_),
          target_is_ratio(target_is_ratio_) {}

    std::string id;    // W1..W7, M, C
    std::string what;  // what it measures
    std::string unit;  // of covet, raw and django: "ms", "MB" or "s"
    // W1..W7 and M: covet/raw must stay at or under target. C (no raw side): covet under target.
    double target = 0;
    bool target_is_ratio = true;
    std::optional<double> covet, raw, django;  // medians
    // Timed workloads: the median of covet/raw over the runs taken back to back (see measure()).
    std::optional<double> paired_ratio;
    std::optional<std::int64_t> statements_covet, statements_raw, statements_django;
    std::optional<double> covet_peak_mb;  // C: the compiler's peak memory
    std::string covet_missing = "-";      // the covet cell without a value ("not implemented yet", ...)
    std::vector<std::string> notes;

    std::optional<double> ratio() const;         // paired_ratio, else covet / raw
    std::optional<double> ratio_django() const;  // covet / django
};

std::string thousands(std::int64_t n);          // 300000 -> "300,000"
std::string json_string(const std::string& s);  // a JSON string literal, quoted and escaped

std::string markdown_table(const std::vector<Row>& rows);  // the table, then the rows' notes
std::string json_report(const std::vector<Row>& rows);
std::string svg_chart(const std::vector<Row>& rows);

}  // namespace bench
