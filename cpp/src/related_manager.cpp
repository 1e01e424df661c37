// The non-template half of covet::RelatedManager (related_manager.hpp): the SQL of add, remove,
// clear and set on a ManyToMany's junction rows or a reverse ForeignKey's keys. Each write is one
// statement (atomic by itself); keys travel as one JSON array parameter read by json_each().
#include <covet/related_manager.hpp>

#include <covet/sql_printer.hpp>

#include "deferred_references.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace covet::detail {

namespace {

std::string q(std::string_view name) { return quote_identifier(name); }

[[noreturn]] void not_nullable(const RelationLink& link, std::string_view operation) {
    throw UsageError(fmt::format(
        "covet: {}.{}: {}() sets {}.{} to NULL, which it cannot hold: delete the objects, or assign them to "
        "another {} (Django has no {}() here either)",
        link.from->name, link.accessor, operation, link.to->name, link.relation->field, link.from->name, operation));
}

// A failed add(): a key that is not there (the extension's insert trigger), or a through model's
// own required field: name the relation and what to do.
IntegrityError add_error(const RelationLink& link, const std::vector<Value>& keys, const IntegrityError& error) {
    const bool through = link.relation->through != nullptr && !error.sqlite_message().starts_with("covet:");
    return IntegrityError(
        fmt::format("covet: {}.{}.add({}): {}{}", link.from->name, link.accessor, keys_json(keys),
                    error.sqlite_message(),
                    through ? fmt::format(" (give {}'s other fields with covet::through_defaults({}{{...}}))",
                                          link.relation->through().name, link.relation->through().name)
                            : std::string()),
        error.details());
}

// add()'s INSERT into an automatic junction, for n keys as ?2..?n+1 (the owner is ?1), or, n = 0,
// for a JSON array of keys as ?2. Built once per relation, direction and n.
constexpr std::size_t max_values_keys = 16;
const std::string& junction_insert(const RelationLink& link, std::size_t n) {
    thread_local std::map<std::tuple<const Relation*, bool, std::size_t>, std::string> built;
    std::string& sql = built[{link.relation, link.reverse, n}];
    if (!sql.empty()) return sql;
    const std::string head = fmt::format("INSERT INTO {}({}, {}) ", q(link.junction), q(link.junction_from),
                                         q(link.junction_to));
    const std::string conflict = fmt::format(" ON CONFLICT ({}, {}) DO NOTHING", q(link.junction_from),
                                             q(link.junction_to));
    if (n == 0) {
        sql = head + "SELECT ?1, value FROM json_each(?2) WHERE true" + conflict;  // WHERE: SQLite's upsert syntax
    } else {
        sql = head + "VALUES ";
        for (std::size_t i = 0; i < n; ++i) sql += fmt::format("{}(?1, ?{})", i ? ", " : "", i + 2);
        sql += conflict;
    }
    return sql;
}

// The conflict clause of junction_insert() refused because the junction has no UNIQUE (from, to)
// (one made by hand): refused when prepared, before anything ran.
bool lacks_unique_pair(const Error& error) {
    return std::string_view(error.what()).find("ON CONFLICT clause does not match") != std::string_view::npos;
}

// add() on an automatic junction, which has UNIQUE (from, to): pairs already there are skipped by
// the conflict clause, and a few keys go as parameters of one VALUES list (no json_each, DISTINCT
// or NOT EXISTS subquery: about the cost of a plain INSERT per pair). False, with nothing done,
// when the table lacks that UNIQUE constraint (a junction made by hand): the general form then.
bool add_to_junction(Database& db, const RelationLink& link, const Value& owner, const std::vector<Value>& keys) {
    try {
        if (keys.size() <= max_values_keys) {
            std::vector<Value> params;
            params.reserve(keys.size() + 1);
            params.push_back(owner);
            params.insert(params.end(), keys.begin(), keys.end());
            db.execute(junction_insert(link, keys.size()), params);
        } else {
            db.execute(junction_insert(link, 0), {owner, Value{keys_json(keys)}});
        }
        return true;
    } catch (const IntegrityError& error) {
        throw add_error(link, keys, error);
    } catch (const Error& error) {
        if (lacks_unique_pair(error)) return false;
        throw;
    }
}

std::vector<Value> column_values(Database& db, const std::string& sql, const Value& owner) {
    std::vector<Value> out;
    for (const Row& row : db.query(sql, {owner})) out.push_back(row.value(0));
    return out;
}

}  // namespace

void check_owner(const RelationLink& link, const Value& owner) {
    const auto* integer = std::get_if<std::int64_t>(&owner);
    if (std::holds_alternative<std::nullptr_t>(owner) || (integer && *integer == 0 && link.from_column->primary_key)) {
        throw UsageError(fmt::format("covet: {}.{}: this {} has no {} yet: save it before using its relations",
                                     link.from->name, link.accessor, link.from->name, link.from_column->field));
    }
}

void throw_unsaved_related(const ModelInfo& model) {
    throw UsageError(fmt::format("covet: an unsaved {} (no {} yet) cannot be related: save it first", model.name,
                                 model.columns[model.primary_key].field));
}

Query related_query(const Query& query, const RelationLink& link, const Value& owner) {
    return query.related_to(link, owner);
}

void related_add(Database& db, const RelationLink& link, const Value& owner, const std::vector<Value>& keys) {
    if (keys.empty()) return;
    if (link.relation->through == nullptr && link.through_junction() && !is_symmetrical(link) &&
        add_to_junction(db, link, owner, keys))
        return;
    const Value json{keys_json(keys)};
    if (!link.through_junction()) {
        db.execute(fmt::format("UPDATE {} SET {} = ?1 WHERE {} IN (SELECT value FROM json_each(?2))", q(link.to->table),
                               q(link.to_column->name), q(link.to->columns[link.to->primary_key].name)),
                   {owner, json});
        return;
    }
    // Pairs already there are left alone (add() is idempotent); a symmetrical relation stores both ways.
    const std::string pairs = is_symmetrical(link)
                                  ? "SELECT ?1 AS a, value AS b FROM json_each(?2) UNION SELECT value, ?1 FROM json_each(?2)"
                                  : "SELECT DISTINCT ?1 AS a, value AS b FROM json_each(?2)";
    try {
        db.execute(fmt::format("INSERT INTO {0}({1}, {2}) SELECT a, b FROM ({3}) AS p "
                               "WHERE NOT EXISTS (SELECT 1 FROM {0} WHERE {1} = p.a AND {2} = p.b)",
                               q(link.junction), q(link.junction_from), q(link.junction_to), pairs),
                   {owner, json});
    } catch (const IntegrityError& error) {
        throw add_error(link, keys, error);
    }
}

void related_bulk_add(Database& db, const RelationLink& link, std::span<const std::pair<Value, Value>> pairs) {
    const std::string& insert = junction_insert(link, 1);
    const bool both_ways = is_symmetrical(link);
    auto check = [&](const Value& key, const ModelInfo& model, std::size_t row) {
        const auto* integer = std::get_if<std::int64_t>(&key);
        if (std::holds_alternative<std::nullptr_t>(key) || (integer && *integer == 0))
            throw UsageError(fmt::format("covet: bulk_add to {}.{}: pair {} has no {} key (an unsaved object?)",
                                         link.from->name, link.accessor, row, model.name));
    };
    db.transaction([&] {
        DeferredReferences references(db, link.junction, {link.junction_from, link.junction_to}, [&](std::size_t row) {
            return fmt::format("pair {} of bulk_add to {}.{}", row, link.from->name, link.accessor);
        });
        // A pair's keys checked, and noted for the check of every key at the end.
        auto take = [&](std::size_t row) {
            const auto& [from, to] = pairs[row];
            check(from, *link.from, row);
            check(to, *link.to, row);
            references.note(0, from, row);
            references.note(1, to, row);
        };
        // One run per pair; a symmetrical relation's second run stores it the other way round.
        const std::size_t runs_per_pair = both_ways ? 2 : 1;
        auto bind_pair = [&](sqlite3_stmt* stmt, std::size_t run) {
            const std::size_t row = run / runs_per_pair;
            const bool swapped = run % runs_per_pair == 1;
            if (!swapped) take(row);
            const auto& [from, to] = pairs[row];
            bind_value(stmt, 1, swapped ? to : from);
            bind_value(stmt, 2, swapped ? from : to);
        };
        try {
            db.execute_each(insert, pairs.size() * runs_per_pair, bind_pair);
        } catch (const Error& error) {
            if (!lacks_unique_pair(error)) throw;
            // Refused when prepared, before any run: add()'s general form, a statement per pair.
            for (std::size_t row = 0; row < pairs.size(); ++row) {
                take(row);
                related_add(db, link, pairs[row].first, {pairs[row].second});
            }
        }
        references.finish();
    });
}

void related_remove(Database& db, const RelationLink& link, const Value& owner, const std::vector<Value>& keys) {
    if (keys.empty()) return;
    const Value json{keys_json(keys)};
    if (!link.through_junction()) {
        if (!link.relation->null) not_nullable(link, "remove");
        db.execute(fmt::format("UPDATE {0} SET {1} = NULL WHERE {1} = ?1 AND {2} IN (SELECT value FROM json_each(?2))",
                               q(link.to->table), q(link.to_column->name),
                               q(link.to->columns[link.to->primary_key].name)),
                   {owner, json});
        return;
    }
    std::string where = fmt::format("({} = ?1 AND {} IN (SELECT value FROM json_each(?2)))", q(link.junction_from),
                                    q(link.junction_to));
    if (is_symmetrical(link))
        where += fmt::format(" OR ({} = ?1 AND {} IN (SELECT value FROM json_each(?2)))", q(link.junction_to),
                             q(link.junction_from));
    db.execute(fmt::format("DELETE FROM {} WHERE {}", q(link.junction), where), {owner, json});
}

void related_clear(Database& db, const RelationLink& link, const Value& owner) {
    if (!link.through_junction()) {
        if (!link.relation->null) not_nullable(link, "clear");
        db.execute(fmt::format("UPDATE {0} SET {1} = NULL WHERE {1} = ?1", q(link.to->table), q(link.to_column->name)),
                   {owner});
        return;
    }
    std::string where = q(link.junction_from) + " = ?1";
    if (is_symmetrical(link)) where += " OR " + q(link.junction_to) + " = ?1";
    db.execute(fmt::format("DELETE FROM {} WHERE {}", q(link.junction), where), {owner});
}

std::vector<Value> related_keys(Database& db, const RelationLink& link, const Value& owner) {
    if (!link.through_junction()) {
        return column_values(db,
                             fmt::format("SELECT {} FROM {} WHERE {} = ?1", q(link.to->columns[link.to->primary_key].name),
                                         q(link.to->table), q(link.to_column->name)),
                             owner);
    }
    return column_values(
        db, fmt::format("SELECT {} FROM {} WHERE {} = ?1", q(link.junction_to), q(link.junction), q(link.junction_from)),
        owner);
}

std::vector<Value> key_difference(const std::vector<Value>& a, const std::vector<Value>& b) {
    std::vector<Value> out;
    for (const Value& v : a)
        if (std::find(b.begin(), b.end(), v) == b.end() && std::find(out.begin(), out.end(), v) == out.end())
            out.push_back(v);
    return out;
}

std::vector<Value> unrelated_keys(Database& db, const RelationLink& link, const Value& owner,
                                  const std::vector<Value>& keys) {
    return key_difference(keys, related_keys(db, link, owner));
}

std::size_t through_column(const ModelInfo& through, const std::string& column) {
    for (std::size_t i = 0; i < through.columns.size(); ++i)
        if (through.columns[i].name == column) return i;
    throw SchemaError(fmt::format("covet: {} has no column {}", through.name, column));
}

}  // namespace covet::detail
