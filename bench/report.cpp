#include "report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace bench {

std::optional<double> Row::ratio() const {
    if (paired_ratio) return paired_ratio;
    if (!covet || !raw || *raw <= 0) return std::nullopt;
    return *covet / *raw;
}

std::optional<double> Row::ratio_django() const {
    if (!covet || !django || *django <= 0) return std::nullopt;
    return *covet / *django;
}

namespace {

// Three significant digits or so: 0.123, 12.3, 1234.
std::string number(double value) {
    return fmt::format("{:.{}f}", value, value >= 100 ? 0 : value >= 10 ? 1 : value >= 1 ? 2 : 3);
}

template <class T, class Format>
std::string or_dash(const std::optional<T>& value, Format format) {
    return value ? format(*value) : "-";
}

std::string with_unit(const std::optional<double>& value, const std::string& unit) {
    return or_dash(value, [&](double v) { return number(v) + " " + unit; });
}

std::string ratio_text(const std::optional<double>& ratio) {
    return or_dash(ratio, [](double r) { return fmt::format("{:.2f}", r); });
}

std::string target_text(const Row& row) {
    return row.target_is_ratio ? fmt::format("<= {:.2f}", row.target)
                               : fmt::format("< {} {}", number(row.target), row.unit);
}

std::string covet_cell(const Row& row) {
    if (!row.covet) return row.covet_missing;
    std::string cell = with_unit(row.covet, row.unit);
    if (row.covet_peak_mb) cell += fmt::format(", {} MB", number(*row.covet_peak_mb));
    return cell;
}

}  // namespace

std::string thousands(std::int64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out += ',';
        out += digits[i];
    }
    return out;
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += {'\\', c};
        else if (static_cast<unsigned char>(c) < 0x20)
            fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<int>(c));
        else
            out += c;
    }
    return out + "\"";
}

namespace {

template <class T>
std::string json_value(const std::optional<T>& value) {
    return value ? fmt::format("{}", *value) : "null";
}

std::string xml_text(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else if (c == '&')
            out += "&amp;";
        else
            out += c;
    }
    return out;
}

}  // namespace

std::string markdown_table(const std::vector<Row>& rows) {
    std::string out =
        "| id | workload | covet | raw | covet/raw | target | Django | covet/Django | statements covet / raw / Django "
        "|\n"
        "|---|---|--:|--:|--:|--:|--:|--:|--:|\n";
    auto statements = [](const std::optional<std::int64_t>& n) { return or_dash(n, thousands); };
    for (const Row& row : rows)
        fmt::format_to(std::back_inserter(out), "| {} | {} | {} | {} | {} | {} | {} | {} | {} / {} / {} |\n", row.id,
                       row.what, covet_cell(row), with_unit(row.raw, row.unit), ratio_text(row.ratio()),
                       target_text(row), with_unit(row.django, row.unit), ratio_text(row.ratio_django()),
                       statements(row.statements_covet), statements(row.statements_raw),
                       statements(row.statements_django));
    for (const Row& row : rows)
        for (const std::string& note : row.notes) fmt::format_to(std::back_inserter(out), "\n- {}: {}", row.id, note);
    return out + "\n";
}

std::string json_report(const std::vector<Row>& rows) {
    std::string out = "[";
    for (const Row& row : rows) {
        fmt::format_to(std::back_inserter(out),
                       "{}\n  {{\"id\": {}, \"workload\": {}, \"unit\": {}, \"covet\": {}, \"raw\": {}, \"ratio\": {}, "
                       "\"target\": {}, \"statements_covet\": {}, \"statements_raw\": {}",
                       &row == rows.data() ? "" : ",", json_string(row.id), json_string(row.what),
                       json_string(row.unit), json_value(row.covet), json_value(row.raw), json_value(row.ratio()),
                       row.target, json_value(row.statements_covet), json_value(row.statements_raw));
        if (row.django)
            fmt::format_to(std::back_inserter(out), ", \"django\": {}, \"ratio_django\": {}, \"statements_django\": {}",
                           *row.django, json_value(row.ratio_django()), json_value(row.statements_django));
        if (row.covet_peak_mb) fmt::format_to(std::back_inserter(out), ", \"covet_peak_mb\": {}", *row.covet_peak_mb);
        std::string notes;
        for (const std::string& note : row.notes) notes += (notes.empty() ? "" : ", ") + json_string(note);
        fmt::format_to(std::back_inserter(out), ", \"notes\": [{}]}}", notes);
    }
    return out + "\n]\n";
}

// Horizontal bars, one row per ratio workload: covet/raw (and covet/Django when measured), the
// target as a red dashed mark, 1.0 (parity) as a darker grid line.
std::string svg_chart(const std::vector<Row>& rows) {
    std::vector<const Row*> charted;
    double top_value = 1.5;
    for (const Row& row : rows) {
        if (!row.target_is_ratio) continue;
        charted.push_back(&row);
        top_value = std::max({top_value, row.target, row.ratio().value_or(0), row.ratio_django().value_or(0)});
    }
    const double scale_max = std::ceil(top_value * 1.1 * 2) / 2;  // a multiple of 0.5
    const int left = 370, width = 500, row_height = 44, top = 64;
    const int bottom = top + row_height * static_cast<int>(charted.size());
    auto x = [&](double value) { return left + value / scale_max * width; };

    std::string svg = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" "
        "font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        "<text x=\"10\" y=\"24\" font-size=\"15\" font-weight=\"bold\">covet against hand-written SQL and Django "
        "(time or memory ratio, lower is better)</text>\n"
        "<rect x=\"10\" y=\"36\" width=\"12\" height=\"12\" fill=\"#3b6fb6\"/><text x=\"28\" y=\"47\">covet / raw "
        "sqlite3</text>\n<rect x=\"150\" y=\"36\" width=\"12\" height=\"12\" fill=\"#9bbf6a\"/><text x=\"168\" "
        "y=\"47\">covet / Django</text>\n<line x1=\"280\" y1=\"42\" x2=\"300\" y2=\"42\" stroke=\"#d62728\" "
        "stroke-width=\"2\" stroke-dasharray=\"4 3\"/><text x=\"306\" y=\"47\">target (covet / raw)</text>\n",
        left + width + 60, bottom + 34);
    for (double tick = 0; tick <= scale_max + 1e-9; tick += 0.5)
        fmt::format_to(std::back_inserter(svg),
                       "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"{3}\"/>"
                       "<text x=\"{0:.1f}\" y=\"{4}\" text-anchor=\"middle\">{5:.1f}</text>\n",
                       x(tick), top - 4, bottom, tick == 1.0 ? "#555" : "#ddd", bottom + 16, tick);
    int y = top;
    for (const Row* row : charted) {
        fmt::format_to(std::back_inserter(svg),
                       "<text x=\"10\" y=\"{}\"><tspan font-weight=\"bold\">{}</tspan> {}</text>\n", y + 26, row->id,
                       xml_text(row->what));
        auto bar = [&](std::optional<double> ratio, int bar_y, const char* colour) {
            if (!ratio) return;
            fmt::format_to(std::back_inserter(svg),
                           "<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"14\" fill=\"{}\"/>"
                           "<text x=\"{:.1f}\" y=\"{}\">{:.2f}</text>\n",
                           left, bar_y, x(*ratio) - left, colour, x(*ratio) + 4, bar_y + 11, *ratio);
        };
        bar(row->ratio(), y + 6, "#3b6fb6");
        bar(row->ratio_django(), y + 22, "#9bbf6a");
        if (!row->ratio())
            fmt::format_to(std::back_inserter(svg), "<text x=\"{}\" y=\"{}\" fill=\"#888\">covet: {}</text>\n",
                           left + 6, y + 17, xml_text(row->covet_missing));
        fmt::format_to(
            std::back_inserter(svg),
            "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#d62728\" stroke-width=\"2\" "
            "stroke-dasharray=\"4 3\"/>\n",
            x(row->target), y + 2, y + row_height - 4);
        y += row_height;
    }
    return svg + "</svg>\n";
}

}  // namespace bench
