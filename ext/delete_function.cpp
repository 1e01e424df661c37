/*
** covet_delete(table, keys): Django's Model.delete() / QuerySet.delete() in SQL.
**
**   SELECT covet_delete('authors', 7);          -- one key
**   SELECT covet_delete('authors', '[1,2,3]');  -- a JSON array of keys
**   -- {"total": 12, "per_table": {"authors": 3, "books": 6, "books_categories": 3}}
**
** Keys are primary key values (the rowid when the table declares no primary key). The whole
** deletion set of all keys together is computed first, PROTECT and RESTRICT are checked over that
** set (so a multi-row delete is exactly as permissive as Django's), and only then does anything
** change, inside one savepoint. A refusal names the relation and lists the blocking rows.
*/
#include "deletion.hpp"
#include "modules.hpp"

#include <map>
#include <optional>

namespace covet::ext {

namespace {

// This delete's rows in _covet_doomed are marked with an empty root (triggers use their table).
const Doomed doomed{doomed_store, "root_tbl = ''"};

std::string blocking_rows(sqlite3* db, const Blocker& blocker) {
    Stmt rows(db, blocker.rows);
    std::vector<std::string> keys;
    std::size_t count = 0;
    while (rows.step())
        if (++count <= 10) keys.push_back(rows.value(0).text());
    if (count == 0) return "";
    std::string list = join(keys, ", ");
    if (count > keys.size()) list += " and " + std::to_string(count - keys.size()) + " more";
    return blocker.message + " [" + blocker.edge->from_table + " rows: " + list + "]";
}

std::string delete_rows(sqlite3* db, const Value& table_name, const Value& keys) {
    Graph graph(db);
    Deletion deletion = Deletion::of_keys(graph, table_name, "covet_delete");

    std::optional<Savepoint> savepoint;
    try {
        savepoint.emplace(db, "covet_delete");
    } catch (const Error& e) {
        throw Error("covet: covet_delete() must run in a statement of its own (SELECT covet_delete(...)), "
                    "not inside another write: " + std::string(e.what()));
    }
    ensure_store(db);
    Stmt collect(db, std::string("INSERT OR IGNORE INTO ") + doomed_store +
                         "(tbl, key, root_tbl, root_key) SELECT tbl, key, '', 0 FROM (" + deletion.closure(deletion.seed_of_keys("?1")) +
                         "SELECT tbl, key FROM d)");
    collect.bind(1, keys).run();

    for (const Blocker& blocker : deletion.blockers(doomed)) {
        std::string refusal = blocking_rows(db, blocker);
        if (!refusal.empty()) throw Error(refusal, SQLITE_CONSTRAINT);
    }

    std::map<std::string, std::int64_t> per_table;
    std::int64_t total = 0;
    Stmt counts(db, std::string("SELECT tbl, count(*) FROM ") + doomed_store + " WHERE " + doomed.own_filter +
                        " GROUP BY tbl");
    while (counts.step()) {
        per_table[counts.text(0)] = counts.integer(1);
        total += counts.integer(1);
    }
    for (const Effect& effect : deletion.effects(doomed)) exec(db, effect.update);
    for (const std::string& statement : deletion.deletes(doomed)) exec(db, statement);
    exec(db, std::string("DELETE FROM ") + doomed_store + " WHERE " + doomed.own_filter);
    savepoint->commit();

    std::string json = "{\"total\": " + std::to_string(total) + ", \"per_table\": {";
    bool first = true;
    for (const auto& [name, count] : per_table) {
        json += (first ? "" : ", ") + json_string(name) + ": " + std::to_string(count);
        first = false;
    }
    return json + "}}";
}

void covet_delete(sqlite3_context* ctx, int, sqlite3_value** argv) {
    guarded(ctx, [&] {
        std::string json = delete_rows(sqlite3_context_db_handle(ctx), Value::from(argv[0]), Value::from(argv[1]));
        sqlite3_result_text(ctx, json.c_str(), static_cast<int>(json.size()), SQLITE_TRANSIENT);
    });
}

}  // namespace

int register_delete_function(sqlite3* db) {
    // DIRECTONLY: it writes, so it must not run from a trigger or view.
    return sqlite3_create_function(db, "covet_delete", 2, SQLITE_UTF8 | SQLITE_DIRECTONLY, nullptr, covet_delete,
                                   nullptr, nullptr);
}

}  // namespace covet::ext
