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
**
** Its own deletes and updates need no trigger of covet's: the delete triggers would skip every
** row (they are all condemned already) and blockers() makes the one check of the update triggers
** that an update of covet_delete can fail. So when no other trigger would fire, it turns the
** connection's triggers off while it writes, and keeps its list of condemned rows in a TEMP
** table; otherwise it lists them in _covet_doomed, where the triggers find them.
*/
#include "deletion.hpp"
#include "modules.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace covet::ext {

namespace {

// This delete's rows in the bookkeeping table are marked with an empty root (triggers use their
// table and row).
constexpr const char* own_rows = "root_tbl = ''";
// The bookkeeping table while triggers are paused: nothing else reads it, and a TEMP table is not
// written to the database file. Not named _covet_doomed: it would hide main's from the triggers.
constexpr const char* paused_store = "temp._covet_deleting";

// May covet_delete write with the connection's triggers off? Only when no trigger but covet's own
// would fire: a user's trigger on a table the delete writes must still fire. TEMP triggers fire
// even with triggers off (SQLite 3.35+), but the rows they write would then skip covet's own
// triggers, so one on such a table keeps them on too. With foreign_keys ON, SQLite's own ON
// DELETE actions may write any table.
bool only_covet_triggers_would_fire(sqlite3* db, const Deletion& deletion) {
    if (deletion.updates_need_update_triggers()) return false;
    int foreign_keys = 0;
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &foreign_keys);
    const std::vector<std::string> written = deletion.written_tables();
    Stmt triggers(db, "SELECT 'main', name, tbl_name FROM main.sqlite_schema WHERE type = 'trigger' UNION ALL "
                      "SELECT 'temp', name, tbl_name FROM temp.sqlite_schema WHERE type = 'trigger'");
    while (triggers.step()) {
        if (triggers.text(0) == "main" && is_covet_object(triggers.text(1))) continue;
        const std::string table = triggers.text(2);
        if (foreign_keys || std::any_of(written.begin(), written.end(),
                                        [&](const std::string& t) { return same_name(t, table); }))
            return false;
    }
    return true;
}

// Turns the connection's triggers off, and back to what they were when destroyed: on every way
// out of covet_delete (done, refused, failed). Changing the setting expires the connection's
// prepared statements: a running one (the SELECT calling covet_delete) runs to its end, the
// others are prepared again when next run, so none runs with the other setting.
class TriggersPaused {
public:
    explicit TriggersPaused(sqlite3* db) : db_(db) {
        // The int each call writes is the setting after it: -1 reads without changing.
        int now = 0;
        if (sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_TRIGGER, -1, &was_enabled_) != SQLITE_OK ||
            sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, &now) != SQLITE_OK)
            throw Error("covet: covet_delete: cannot turn triggers off");
    }
    TriggersPaused(const TriggersPaused&) = delete;
    TriggersPaused& operator=(const TriggersPaused&) = delete;
    ~TriggersPaused() {
        int now = 0;
        sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_TRIGGER, was_enabled_, &now);
    }

private:
    sqlite3* db_;
    int was_enabled_ = 1;
};

// Same columns as _covet_doomed, so that one set of statements serves both tables.
void ensure_paused_store(sqlite3* db) {
    exec(db, std::string("CREATE TABLE IF NOT EXISTS ") + paused_store +
                 "(tbl TEXT NOT NULL, key NOT NULL, root_tbl TEXT NOT NULL, root_key NOT NULL,"
                 " PRIMARY KEY (tbl, key)) WITHOUT ROWID");
}

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
    std::optional<TriggersPaused> paused;
    if (only_covet_triggers_would_fire(db, deletion)) paused.emplace(db);
    const Doomed doomed{paused ? paused_store : doomed_store, own_rows};
    if (paused)
        ensure_paused_store(db);
    else
        ensure_store(db);

    Stmt collect(db, "INSERT OR IGNORE INTO " + doomed.source +
                         "(tbl, key, root_tbl, root_key) SELECT tbl, key, '', 0 FROM (" +
                         deletion.closure(deletion.seed_of_keys("?1")) + "SELECT tbl, key FROM " +
                         Deletion::closure_name + ")");
    collect.bind(1, keys).run();

    for (const Blocker& blocker : deletion.blockers(doomed)) {
        std::string refusal = blocking_rows(db, blocker);
        if (!refusal.empty()) throw Error(refusal, SQLITE_CONSTRAINT);
    }

    std::map<std::string, std::int64_t> per_table;
    std::int64_t total = 0;
    Stmt counts(db, "SELECT tbl, count(*) FROM " + doomed.source + " WHERE " + doomed.own_filter + " GROUP BY tbl");
    while (counts.step()) {
        per_table[counts.text(0)] = counts.integer(1);
        total += counts.integer(1);
    }
    for (const Effect& effect : deletion.effects(doomed)) exec(db, effect.update);
    for (const std::string& statement : deletion.deletes(doomed)) exec(db, statement);
    exec(db, "DELETE FROM " + doomed.source + " WHERE " + doomed.own_filter);
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
