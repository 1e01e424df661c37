// The non-template half of QuerySet<T> (queryset.hpp): printing and running its statements,
// covet_delete() and its JSON result, first/last/get queries and their error messages.
#include <covet/queryset.hpp>

#include <covet/sql_printer.hpp>

#include <fmt/format.h>

#include <cctype>
#include <utility>

namespace covet::detail {

namespace {

[[noreturn]] void bad_delete_result(std::string_view json, std::string_view why) {
    throw Error(fmt::format("covet: unexpected result of covet_delete() ({}): {}", why, json));
}

// A reader for the one JSON shape covet_delete() returns.
class DeleteResultParser {
public:
    explicit DeleteResultParser(std::string_view json) : json_(json) {}

    DeleteResult parse() {
        DeleteResult result;
        bool total = false;
        expect('{');
        object([&](std::string key) {
            if (key == "total") {
                result.total = integer();
                total = true;
            } else if (key == "per_table") {
                expect('{');
                object([&](std::string table) { result.per_table[std::move(table)] = integer(); });
            } else {
                fail("unknown key '" + key + "'");
            }
        });
        skip_space();
        if (pos_ != json_.size()) fail("trailing text");
        if (!total) fail("no total");
        return result;
    }

private:
    [[noreturn]] void fail(std::string_view why) const { bad_delete_result(json_, why); }

    void skip_space() {
        while (pos_ < json_.size() && std::isspace(static_cast<unsigned char>(json_[pos_]))) ++pos_;
    }
    bool accept(char c) {
        skip_space();
        if (pos_ < json_.size() && json_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    void expect(char c) {
        if (!accept(c)) fail(fmt::format("expected '{}' at {}", c, pos_));
    }

    // The members of an object whose '{' has been read, up to its '}'.
    template <class F>
    void object(F member) {
        if (accept('}')) return;
        do {
            std::string key = string();
            expect(':');
            member(std::move(key));
        } while (accept(','));
        expect('}');
    }

    std::int64_t integer() {
        skip_space();
        const std::size_t start = pos_;
        if (pos_ < json_.size() && json_[pos_] == '-') ++pos_;
        std::int64_t value = 0;
        while (pos_ < json_.size() && std::isdigit(static_cast<unsigned char>(json_[pos_])))
            value = value * 10 + (json_[pos_++] - '0');
        if (pos_ == start || (pos_ == start + 1 && json_[start] == '-')) fail("expected a number");
        return json_[start] == '-' ? -value : value;
    }

    unsigned hex4() {
        if (pos_ + 4 > json_.size()) fail("truncated \\u escape");
        unsigned code = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = json_[pos_++];
            code <<= 4;
            if (c >= '0' && c <= '9') code |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f') code |= static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') code |= static_cast<unsigned>(c - 'A' + 10);
            else fail("bad \\u escape");
        }
        return code;
    }

    static void append_utf8(std::string& out, unsigned code) {
        if (code < 0x80) {
            out += static_cast<char>(code);
        } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else if (code < 0x10000) {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (code >> 18));
            out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        }
    }

    std::string string() {
        expect('"');
        std::string out;
        for (;;) {
            if (pos_ >= json_.size()) fail("unterminated string");
            const char c = json_[pos_++];
            if (c == '"') return out;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= json_.size()) fail("unterminated string");
            switch (const char e = json_[pos_++]) {
                case '"':
                case '\\':
                case '/': out += e; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    unsigned code = hex4();
                    if (code >= 0xD800 && code < 0xDC00 && json_.substr(pos_, 2) == "\\u") {
                        pos_ += 2;
                        const unsigned low = hex4();
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    }
                    append_utf8(out, code);
                    break;
                }
                default: fail("bad escape");
            }
        }
    }

    std::string_view json_;
    std::size_t pos_ = 0;
};

std::string describe_values(const Condition& c) {
    std::string out;
    for (const Value& v : c.values) {
        if (!out.empty()) out += ", ";
        out += covet::describe(v);
    }
    return out;
}

std::string describe_node(const Filter& f, bool nested) {
    switch (f.kind()) {
        case Filter::Kind::Condition: {
            const Condition& c = f.condition();
            if (c.lookup == Lookup::In) return fmt::format("{}=[{}]", c.expression(), describe_values(c));
            if (c.lookup == Lookup::Range) return fmt::format("{}=({})", c.expression(), describe_values(c));
            if (c.lookup == Lookup::IsNull)
                return fmt::format("{}={}", c.expression(), std::get<std::int64_t>(c.values[0]) ? "true" : "false");
            return fmt::format("{}={}", c.expression(), describe_values(c));
        }
        case Filter::Kind::Not: return "NOT (" + describe_node(f.children()[0], false) + ")";
        case Filter::Kind::And:
        case Filter::Kind::Or: {
            const char* op = f.kind() == Filter::Kind::And ? " AND " : " OR ";
            std::string out;
            for (const Filter& child : f.children()) {
                if (!out.empty()) out += op;
                out += describe_node(child, true);
            }
            return nested ? "(" + out + ")" : out;
        }
    }
    return {};
}

Error::Details details_of(const Query& query) {
    Error::Details d;
    d.model = query.model().name;
    return d;
}

std::string matching(const Query& query) {
    return query.where() ? " (" + describe_filter(*query.where()) + ")" : std::string();
}

}  // namespace

std::string describe_filter(const Filter& filter) { return describe_node(filter, false); }

DeleteResult delete_result_from_json(std::string_view json) { return DeleteResultParser(json).parse(); }

Cursor open_select(Database& db, const Query& query) {
    const Sql sql = print_select(query);
    return db.query(sql.text, sql.params);
}

std::int64_t run_count(Database& db, const Query& query) {
    const Sql sql = print_count(query);
    const Value v = db.query_value(sql.text, sql.params);
    return std::get<std::int64_t>(v);
}

bool run_exists(Database& db, const Query& query) {
    const Sql sql = print_exists(query);
    Cursor cursor = db.query(sql.text, sql.params);
    const bool found = cursor.next();
    cursor.close();
    return found;
}

std::int64_t run_update(Database& db, const Query& query, std::vector<Assignment> assignments) {
    const Sql sql = print_update(query.update(std::move(assignments)));
    return db.execute(sql.text, sql.params);
}

DeleteResult run_delete(Database& db, const Query& query) {
    (void)query.delete_();  // refuses sliced, distinct and values()/aggregate() sets
    const ModelInfo& model = query.model();
    const Column& pk = model.columns.at(model.primary_key);
    // The keys are collected by a subquery of the same statement: covet_delete() must be a
    // statement of its own, and it computes the whole deletion set over all of them at once.
    Sql keys = print_select(query.order_by({}).values({pk.field}));
    const std::string text =
        fmt::format("SELECT covet_delete(?{}, (SELECT json_group_array({}) FROM ({})))", keys.params.size() + 1,
                    quote_identifier(pk.name), keys.text);
    keys.params.emplace_back(model.table);
    const Value result = db.query_value(text, keys.params);
    const auto* json = std::get_if<std::string>(&result);
    if (!json) bad_delete_result(covet::describe(result), "not text");
    return delete_result_from_json(*json);
}

std::vector<Value> run_aggregate(Database& db, const Query& query, std::vector<Aggregate> aggregates) {
    const Query q = query.aggregate(std::move(aggregates));
    const Sql sql = print_select(q);
    Cursor cursor = db.query(sql.text, sql.params);
    std::vector<Value> row;
    if (cursor.next()) {
        const int n = cursor.row().size();
        row.reserve(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) row.push_back(cursor.row().value(i));
        cursor.close();
    }
    row.resize(q.aggregates().size());  // no row (an empty slice): NULLs
    return row;
}

Query reversed(const Query& query) {
    std::vector<std::string> terms;
    for (const std::string& term : query.ordering()) {
        if (term == "?") terms.push_back(term);
        else if (term.starts_with('-')) terms.push_back(term.substr(1));
        else terms.push_back("-" + term);
    }
    return query.order_by(std::move(terms));
}

namespace {
// The ordering first()/last() use for an unordered query: the primary key (Django), or the
// grouped fields of a values().annotate() query (the primary key is not one of its columns).
std::vector<std::string> default_order(const Query& query, bool descending) {
    std::vector<std::string> terms;
    const std::string prefix = descending ? "-" : "";
    if (query.is_grouped()) {
        for (const std::string& f : query.value_fields()) terms.push_back(prefix + f);
    } else {
        terms.push_back(prefix + "pk");
    }
    return terms;
}
}  // namespace

Query first_query(const Query& query) {
    const Query ordered =
        query.ordering().empty() && !query.is_sliced() ? query.order_by(default_order(query, false)) : query;
    return ordered.slice(0, 1);
}

Query last_query(const Query& query) {
    const Query ordered = query.ordering().empty() ? query.order_by(default_order(query, true)) : reversed(query);
    return ordered.slice(0, 1);
}

Query get_query(const Query& query) {
    const Query unordered = query.is_sliced() ? query : query.order_by({});
    return unordered.slice(0, max_get_results);
}

void throw_query_does_not_exist(const Query& query) {
    throw DoesNotExist(
        fmt::format("covet: {} matching query does not exist{}", query.model().name, matching(query)),
        details_of(query));
}

void throw_query_multiple(const Query& query, std::int64_t found) {
    const std::string count =
        found >= max_get_results ? fmt::format("more than {}", max_get_results - 1) : std::to_string(found);
    throw MultipleObjectsReturned(fmt::format("covet: get() returned more than one {} -- it returned {}!{}",
                                              query.model().name, count, matching(query)),
                                  details_of(query));
}

}  // namespace covet::detail
