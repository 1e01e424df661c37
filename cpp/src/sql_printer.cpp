// covet's SQL printer: Query -> SQL text + bound parameters. See sql_printer.hpp for the lookup
// semantics. No value is ever written into the text; identifiers are always quoted.
#include <covet/sql_printer.hpp>

#include <covet/error.hpp>

#include <fmt/format.h>

#include <utility>

namespace covet {

namespace {

[[noreturn]] void fail(std::string message) { throw UsageError(std::move(message)); }

bool is_null(const Value& v) { return std::holds_alternative<std::nullptr_t>(v); }

// A value compared as text by the text lookups (as Django's str(value)).
std::string as_text(const Value& v, const Condition& c) {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v)) {
        std::string text = fmt::format("{}", *d);
        if (text.find_first_of(".eEn") == std::string::npos) text += ".0";  // as SQLite: 100.0
        return text;
    }
    fail(fmt::format("covet: lookup '{}' takes text (or a number), not {}", c.expression(),
                     is_null(v) ? "NULL" : "a blob"));
}

struct Expr {
    std::string text;
    bool atomic = true;  // needs no parentheses as an operand of AND / OR
};

class Printer {
public:
    explicit Printer(const Query& query) : q_(query), m_(query.model()) {}

    Sql take() { return std::move(out_); }
    std::string& text() { return out_.text; }

    std::string param(const Value& v) {
        out_.params.push_back(v);
        return fmt::format("?{}", out_.params.size());
    }

    std::string table() const { return quote_identifier(m_.table); }

    // "table"."column" (qualified = true) or "column".
    std::string column(const Column& c, bool qualified = true) const {
        return qualified ? table() + "." + quote_identifier(c.name) : quote_identifier(c.name);
    }

    void where() {
        if (const auto& w = q_.where()) {
            out_.text += " WHERE ";
            out_.text += filter(*w, false).text;
        }
    }

    Expr filter(const Filter& f, bool negated) {
        switch (f.kind()) {
            case Filter::Kind::Condition: return condition(f.condition(), negated);
            case Filter::Kind::Not: return {"NOT (" + filter(f.children()[0], !negated).text + ")", true};
            case Filter::Kind::And:
            case Filter::Kind::Or: {
                const char* op = f.kind() == Filter::Kind::And ? " AND " : " OR ";
                std::string text;
                for (const Filter& child : f.children()) {
                    if (!text.empty()) text += op;
                    Expr e = filter(child, negated);
                    text += e.atomic ? e.text : "(" + e.text + ")";
                }
                return {std::move(text), false};
            }
        }
        return {"1", true};
    }

    Expr condition(const Condition& c, bool negated) {
        const Column& col = resolve_field(m_, c.path, c.expression());
        const std::string name = column(col);
        const Value& v = c.values.empty() ? null_ : c.values[0];
        bool can_be_null = col.nullable;  // whether the SQL condition may evaluate to NULL
        std::string text;
        auto like = [&](const char* prefix, const char* suffix) {
            return fmt::format("{} LIKE {} ESCAPE '\\'", name,
                               param(prefix + escape_like(as_text(v, c)) + suffix));
        };
        switch (c.lookup) {
            case Lookup::Exact:
                if (is_null(v)) {
                    text = name + " IS NULL";
                    can_be_null = false;
                } else {
                    text = fmt::format("{} = {}", name, param(v));
                }
                break;
            case Lookup::IExact:
                if (is_null(v)) {
                    text = name + " IS NULL";
                    can_be_null = false;
                } else {
                    text = like("", "");
                }
                break;
            case Lookup::Contains: text = fmt::format("instr({}, {}) > 0", name, param(as_text(v, c))); break;
            case Lookup::IContains: text = like("%", "%"); break;
            case Lookup::StartsWith: {
                const std::string p = param(as_text(v, c));
                text = fmt::format("substr({0}, 1, length({1})) = {1}", name, p);
                break;
            }
            case Lookup::IStartsWith: text = like("", "%"); break;
            case Lookup::EndsWith: {
                const std::string p = param(as_text(v, c));
                text = fmt::format("substr({0}, length({0}) - length({1}) + 1) = {1}", name, p);
                break;
            }
            case Lookup::IEndsWith: text = like("%", ""); break;
            case Lookup::Gt: text = fmt::format("{} > {}", name, param(v)); break;
            case Lookup::Gte: text = fmt::format("{} >= {}", name, param(v)); break;
            case Lookup::Lt: text = fmt::format("{} < {}", name, param(v)); break;
            case Lookup::Lte: text = fmt::format("{} <= {}", name, param(v)); break;
            case Lookup::In: {
                if (c.values.empty()) {
                    text = "0";
                    can_be_null = false;
                    break;
                }
                text = name + " IN (";
                for (std::size_t i = 0; i < c.values.size(); ++i) {
                    if (i) text += ", ";
                    text += param(c.values[i]);
                }
                text += ")";
                break;
            }
            case Lookup::IsNull:
                text = name + (std::get<std::int64_t>(v) ? " IS NULL" : " IS NOT NULL");
                can_be_null = false;
                break;
            case Lookup::Range: {
                const std::string low = param(c.values[0]);  // in order: ?n before ?n+1
                const std::string high = param(c.values[1]);
                text = fmt::format("{} BETWEEN {} AND {}", name, low, high);
                break;
            }
        }
        if (negated && can_be_null) return {fmt::format("{} AND {} IS NOT NULL", text, name), false};
        return {std::move(text), true};
    }

    // The selected columns (values() or the model's).
    std::vector<const Column*> selected_columns() const {
        std::vector<const Column*> out;
        if (!q_.value_fields().empty()) {
            for (const auto& f : q_.value_fields()) out.push_back(&resolve_field(m_, f));
        } else {
            for (const Column& c : m_.columns) out.push_back(&c);
        }
        return out;
    }

    std::string aggregate(const Aggregate& a, bool qualified) const {
        static constexpr const char* functions[] = {"count", "sum", "avg", "min", "max"};
        std::string argument =
            a.field.empty() ? std::string("*") : column(resolve_field(m_, a.field), qualified);
        return fmt::format("{}({}{}) AS {}", functions[static_cast<int>(a.function)],
                           a.distinct ? "DISTINCT " : "", argument, quote_identifier(a.name()));
    }

    void order_by() {
        const auto& ordering = q_.ordering();
        if (ordering.empty()) return;
        out_.text += " ORDER BY ";
        bool first = true;
        for (const std::string& item : ordering) {
            if (!first) out_.text += ", ";
            first = false;
            if (item == "?") {
                out_.text += "random()";
                continue;
            }
            std::string_view field = item;
            const bool descending = field.starts_with('-');
            if (descending) field.remove_prefix(1);
            bool alias = false;
            for (const Aggregate& a : q_.aggregates())
                if (a.name() == field) alias = true;
            out_.text += alias ? quote_identifier(field) : column(resolve_field(m_, field));
            out_.text += descending ? " DESC" : " ASC";
        }
    }

    void limit() {
        if (q_.limit()) {
            const Value limit{*q_.limit()};
            out_.text += " LIMIT " + param(limit);
        } else if (q_.offset() != 0) {
            out_.text += " LIMIT -1";
        }
        if (q_.offset() != 0) {
            const Value offset{q_.offset()};
            out_.text += " OFFSET " + param(offset);
        }
    }

    // SELECT [DISTINCT] <columns> FROM "t" [WHERE] [GROUP BY] [ORDER BY] [LIMIT OFFSET]
    // (rows: without the aggregates of an ungrouped aggregate() query).
    void select(bool ordered, bool rows_only = false) {
        out_.text += q_.is_distinct() ? "SELECT DISTINCT " : "SELECT ";
        const bool grouped = !rows_only && q_.is_grouped();
        bool first = true;
        auto item = [&](const std::string& s) {
            if (!first) out_.text += ", ";
            first = false;
            out_.text += s;
        };
        if (rows_only || q_.aggregates().empty() || grouped)
            for (const Column* c : selected_columns()) item(column(*c));
        if (!rows_only)
            for (const Aggregate& a : q_.aggregates()) item(aggregate(a, true));
        out_.text += " FROM " + table();
        where();
        if (grouped) {
            out_.text += " GROUP BY ";
            first = true;
            for (const Column* c : selected_columns()) item(column(*c));
        }
        if (ordered && (rows_only || q_.aggregates().empty() || grouped)) order_by();
        limit();
    }

    // An ungrouped aggregate(): over the table, or over a subquery of its rows when the rows are
    // sliced or distinct.
    void aggregate_select() {
        if (!q_.is_sliced() && !q_.is_distinct()) {
            select(false);
            return;
        }
        out_.text += "SELECT ";
        bool first = true;
        for (const Aggregate& a : q_.aggregates()) {
            if (!first) out_.text += ", ";
            first = false;
            out_.text += aggregate(a, false);
        }
        out_.text += " FROM (";
        select(true, true);
        out_.text += ")";
    }

    void any_select() {
        if (!q_.aggregates().empty() && !q_.is_grouped())
            aggregate_select();
        else
            select(true);
    }

private:
    const Query& q_;
    const ModelInfo& m_;
    Sql out_;
    const Value null_{nullptr};
};

}  // namespace

std::string quote_identifier(std::string_view name) {
    std::string out = "\"";
    for (char ch : name) {
        if (ch == '"') out += '"';
        out += ch;
    }
    out += '"';
    return out;
}

std::string escape_like(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char ch : value) {
        if (ch == '\\' || ch == '%' || ch == '_') out += '\\';
        out += ch;
    }
    return out;
}

Sql print_select(const Query& query) {
    Printer p(query);
    p.any_select();
    return p.take();
}

Sql print_count(const Query& query) {
    Printer p(query);
    if (!query.is_sliced() && !query.is_distinct() && query.aggregates().empty()) {
        p.text() += "SELECT count(*) FROM " + p.table();
        p.where();
    } else {
        p.text() += "SELECT count(*) FROM (";
        if (!query.aggregates().empty() && !query.is_grouped())
            p.aggregate_select();
        else
            p.select(false);
        p.text() += ")";
    }
    return p.take();
}

Sql print_exists(const Query& query) {
    Printer p(query);
    if (!query.is_sliced() && query.aggregates().empty()) {
        p.text() += "SELECT 1 FROM " + p.table();
        p.where();
        p.text() += " LIMIT 1";
    } else {
        p.text() += "SELECT 1 FROM (";
        if (!query.aggregates().empty() && !query.is_grouped())
            p.aggregate_select();
        else
            p.select(false);
        p.text() += ") LIMIT 1";
    }
    return p.take();
}

Sql print_update(const Query& query) {
    if (query.assignments().empty())
        fail(fmt::format("covet: update() of {} needs at least one field", query.model().name));
    Printer p(query);
    p.text() += "UPDATE " + p.table() + " SET ";
    bool first = true;
    for (const Assignment& a : query.assignments()) {
        if (!first) p.text() += ", ";
        first = false;
        const Column& c = resolve_field(query.model(), a.field);
        const std::string column = p.column(c, false);
        p.text() += column + " = " + p.param(a.value);
    }
    p.where();
    return p.take();
}

Sql print_delete(const Query& query) {
    Printer p(query);
    p.text() += "DELETE FROM " + p.table();
    p.where();
    return p.take();
}

Sql to_sql(const Query& query) {
    switch (query.action()) {
        case Query::Action::Select: return print_select(query);
        case Query::Action::Count: return print_count(query);
        case Query::Action::Exists: return print_exists(query);
        case Query::Action::Update: return print_update(query);
        case Query::Action::Delete: return print_delete(query);
    }
    return print_select(query);
}

}  // namespace covet
