/*
** covet_sync(): rebuilds covet's triggers and indexes from covet_relations.
**
**   SELECT covet_sync();   -- 3: objects created or dropped; 0 when all was in order
**
** Every write to covet_relations does this already. Run it after covet_check() reports a
** missing or outdated trigger or index (dropped or edited by hand, rewritten by ALTER TABLE),
** or once a broken relation is repaired. Relations that no longer match the schema get no
** triggers; indexes that are no longer needed are dropped when SQLite allows it (not from inside
** another statement).
*/
#include "modules.hpp"
#include "triggers.hpp"

#include <optional>

namespace covet::ext {

namespace {

void covet_sync(sqlite3_context* ctx, int, sqlite3_value**) {
    guarded(ctx, [&] {
        sqlite3* db = sqlite3_context_db_handle(ctx);
        std::optional<Savepoint> savepoint;
        try {
            savepoint.emplace(db, "covet_sync");
        } catch (const Error& e) {
            throw Error("covet: covet_sync() must run in a statement of its own (SELECT covet_sync()): " +
                        std::string(e.what()));
        }
        int changes = store_exists(db) ? sync_schema(db) : 0;
        savepoint->commit();
        sqlite3_result_int(ctx, changes);
    });
}

}  // namespace

int register_sync_function(sqlite3* db) {
    // DIRECTONLY: it changes the schema, so it must not run from a trigger or view.
    return sqlite3_create_function(db, "covet_sync", 0, SQLITE_UTF8 | SQLITE_DIRECTONLY, nullptr, covet_sync,
                                   nullptr, nullptr);
}

}  // namespace covet::ext
