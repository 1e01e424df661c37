// What every covet virtual table shares: the table struct that knows its connection, and the
// connect/disconnect pair for eponymous tables.
#pragma once

#include "sqlite.hpp"

namespace covet::ext {

struct Vtab {
    sqlite3_vtab base{};
    sqlite3* db = nullptr;
};

inline sqlite3* connection_of(sqlite3_vtab* vtab) { return reinterpret_cast<Vtab*>(vtab)->db; }
inline sqlite3* connection_of(sqlite3_vtab_cursor* cursor) { return connection_of(cursor->pVtab); }

// xConnect for a table of the given "CREATE TABLE x(...)" schema. `config` is an
// sqlite3_vtab_config option (SQLITE_VTAB_INNOCUOUS, SQLITE_VTAB_DIRECTONLY) or 0.
inline int connect_vtab(sqlite3* db, const char* schema, int config, sqlite3_vtab** out) {
    int rc = sqlite3_declare_vtab(db, schema);
    if (rc != SQLITE_OK) return rc;
    if (config) sqlite3_vtab_config(db, config);
    auto* vtab = new (std::nothrow) Vtab;
    if (!vtab) return SQLITE_NOMEM;
    vtab->db = db;
    *out = &vtab->base;
    return SQLITE_OK;
}

inline int disconnect_vtab(sqlite3_vtab* vtab) {
    delete reinterpret_cast<Vtab*>(vtab);
    return SQLITE_OK;
}

}  // namespace covet::ext
