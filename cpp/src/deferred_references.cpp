#include "deferred_references.hpp"

#include <covet/error.hpp>
#include <covet/relation_link.hpp>
#include <covet/sql_printer.hpp>

#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace covet::detail {

namespace {

// The references the extension's insert trigger on `table` checks (ext/graph.cpp's edges): a
// ForeignKey or OneToOne declared on it, or, on a ManyToMany's junction table, its two columns
// (the first refers to the declaring table's primary key). None when the table has a trigger that
// is not covet's (main or temp schema), which must fire, or a REPLACE conflict clause, whose
// deletes must fire covet's delete trigger: nothing is paused then.
constexpr const char* references_sql =
    "SELECT * FROM (SELECT name, from_column, to_table, to_column FROM covet_relations"
    " WHERE kind <> 'many_to_many' AND from_table = ?1 COLLATE NOCASE"
    " UNION ALL SELECT name, through_from_column, from_table,"
    " coalesce((SELECT p.name FROM pragma_table_info(r.from_table) AS p WHERE p.pk = 1), 'rowid')"
    " FROM covet_relations AS r WHERE kind = 'many_to_many' AND through_table = ?1 COLLATE NOCASE"
    " UNION ALL SELECT name, through_to_column, to_table, to_column FROM covet_relations"
    " WHERE kind = 'many_to_many' AND through_table = ?1 COLLATE NOCASE)"
    " WHERE NOT EXISTS (SELECT 1 FROM (SELECT name, tbl_name, type FROM sqlite_schema"
    " UNION ALL SELECT name, tbl_name, type FROM sqlite_temp_schema)"
    " WHERE type = 'trigger' AND tbl_name = ?1 COLLATE NOCASE AND name NOT LIKE 'covet\\_%' ESCAPE '\\')"
    " AND NOT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE"
    " AND sql LIKE '%REPLACE%')";

bool triggers_enabled(sqlite3* db) {
    int enabled = 0;
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, -1, &enabled);
    return enabled != 0;
}

std::string q(std::string_view name) { return quote_identifier(name); }

// The [first, last] index ranges of `sorted` whose values are consecutive integers.
std::vector<std::pair<std::size_t, std::size_t>> consecutive_runs(const std::vector<std::int64_t>& sorted) {
    std::vector<std::pair<std::size_t, std::size_t>> runs;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (runs.empty() || sorted[i] != sorted[i - 1] + 1)
            runs.emplace_back(i, i);
        else
            runs.back().second = i;
    }
    return runs;
}

}  // namespace

DeferredReferences::DeferredReferences(Database& db, const std::string& table, const std::vector<std::string>& columns,
                                       std::function<std::string(std::size_t)> rows)
    : db_(db), table_(table), rows_(std::move(rows)) {
    if (!triggers_enabled(db.handle())) return;  // no trigger checks these INSERTs: nothing to defer
    std::vector<Reference> references;
    for (const Row& row : db.query(references_sql, {Value{table}})) {
        const std::string from_column(row.text(1));
        const auto column = std::find_if(columns.begin(), columns.end(), [&](const std::string& c) {
            return sqlite3_stricmp(c.c_str(), from_column.c_str()) == 0;
        });
        // A column the INSERTs leave to its default: only the trigger sees its value.
        if (column == columns.end()) return;
        references.push_back({.relation = std::string(row.text(0)),
                              .from_column = from_column,
                              .to_table = std::string(row.text(2)),
                              .to_column = std::string(row.text(3)),
                              .column = static_cast<std::size_t>(column - columns.begin()),
                              .integers = {},
                              .texts = {},
                              .others = {}});
    }
    if (references.empty()) return;
    references_ = std::move(references);
    for (const Reference& r : references_)
        if (std::find(noted_columns_.begin(), noted_columns_.end(), r.column) == noted_columns_.end())
            noted_columns_.push_back(r.column);
    sqlite3_db_config(db.handle(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
    paused_ = true;
}

DeferredReferences::~DeferredReferences() { resume(); }

void DeferredReferences::resume() noexcept {
    if (!paused_) return;
    sqlite3_db_config(db_.handle(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, nullptr);
    paused_ = false;
}

void DeferredReferences::note(std::size_t column, const Value& value, std::size_t row) {
    for (Reference& r : references_) {
        if (r.column != column) continue;
        if (const auto* integer = std::get_if<std::int64_t>(&value)) {
            r.integers.try_emplace(*integer, row);
        } else if (const auto* text = std::get_if<std::string>(&value)) {
            r.texts.try_emplace(*text, row);
        } else if (!std::holds_alternative<std::nullptr_t>(value)) {  // NULL refers to nothing
            r.others.emplace_back(value, row);
        }
    }
}

void DeferredReferences::finish() {
    resume();
    for (const Reference& r : references_) check(r);
}

void DeferredReferences::check(const Reference& r) const {
    // `p.key = value` compares as the trigger's `p.key = +NEW.column` does: with the referenced
    // column's affinity and collation.
    auto exists = [&](std::string_view value) {
        return fmt::format("EXISTS (SELECT 1 FROM {} AS p WHERE p.{} = {})", q(r.to_table), q(r.to_column), value);
    };
    std::vector<std::int64_t> integers;
    integers.reserve(r.integers.size());
    for (const auto& entry : r.integers) integers.push_back(entry.first);
    std::sort(integers.begin(), integers.end());
    std::vector<Value> keys;  // looked up one by one (in one statement)
    for (const auto& [first, last] : consecutive_runs(integers))
        if (!all_present(r, integers[first], integers[last]))
            for (std::size_t i = first; i <= last; ++i) keys.emplace_back(integers[i]);
    for (const auto& entry : r.texts) keys.emplace_back(entry.first);
    if (!keys.empty()) {
        const Value missing =
            db_.query_value(fmt::format("SELECT value FROM json_each(?1) WHERE NOT {} LIMIT 1", exists("value")),
                            {Value{keys_json(keys)}});
        if (const auto* integer = std::get_if<std::int64_t>(&missing)) throw_missing(r, missing, r.integers.at(*integer));
        if (const auto* text = std::get_if<std::string>(&missing)) throw_missing(r, missing, r.texts.at(*text));
    }
    for (const auto& [key, row] : r.others)
        if (std::get<std::int64_t>(db_.query_value("SELECT " + exists("?1"), {key})) == 0) throw_missing(r, key, row);
}

bool DeferredReferences::all_present(const Reference& r, std::int64_t first, std::int64_t last) const {
    // Short runs: the lookups cost no more than the count.
    constexpr std::int64_t min_counted = 16;
    if (last - first + 1 < min_counted) return false;
    // The referenced column is unique (the extension requires it), so it holds every integer of
    // [first, last] exactly when it holds last - first + 1 integers in that range: one range scan
    // instead of a lookup per key. Anything else (a REAL or TEXT column holding them differently)
    // counts fewer, and the keys are then looked up one by one.
    const Value count = db_.query_value(
        fmt::format("SELECT count(*) FROM {} AS p WHERE p.{} BETWEEN ?1 AND ?2 AND typeof(p.{}) = 'integer'",
                    q(r.to_table), q(r.to_column), q(r.to_column)),
        {Value{first}, Value{last}});
    return std::get<std::int64_t>(count) == last - first + 1;
}

void DeferredReferences::throw_missing(const Reference& r, const Value& key, std::size_t row) const {
    throw IntegrityError(
        fmt::format("covet: {}.{} must reference an existing {}.{} (relation {}): there is no {}.{} = {} ({})",
                    table_, r.from_column, r.to_table, r.to_column, r.relation, r.to_table, r.to_column,
                    describe(key), rows_(row)),
        {.sqlite_code = SQLITE_CONSTRAINT_TRIGGER, .field = r.from_column, .value = describe(key)});
}

}  // namespace covet::detail
