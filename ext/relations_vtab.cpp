/*
** covet_relations: the relations of the database, one row each, readable and writable.
**
**   INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
**     VALUES ('foreign_key', 'books', 'author_id', 'authors', 'CASCADE', 'books');
**   INSERT INTO covet_relations(name, kind, from_table, to_table, related_name)
**     VALUES ('books.categories', 'many_to_many', 'books', 'categories', 'books');
**   SELECT name, kind, on_delete FROM covet_relations;
**   UPDATE covet_relations SET on_delete = 'PROTECT' WHERE name = 'books.author';
**   DELETE FROM covet_relations WHERE name = 'books.author';
**
** An eponymous virtual table over the ordinary table _covet_relations. Every write validates the
** relation, then (re)generates the plain-SQL triggers and indexes that enforce it, all inside one
** savepoint: a refused write changes nothing.
*/
#include "modules.hpp"
#include "relation.hpp"
#include "triggers.hpp"
#include "vtab.hpp"

namespace covet::ext {

namespace {

struct RelationsCursor {
    sqlite3_vtab_cursor base;
    std::vector<Relation> rows;
    std::size_t at = 0;
};

int relations_connect(sqlite3* db, void*, int, const char* const*, sqlite3_vtab** out, char**) {
    std::string schema = "CREATE TABLE x(";
    for (int c = 0; c < relation_column_count; ++c) schema += std::string(c ? ", " : "") + relation_columns[c];
    return connect_vtab(db, (schema + ")").c_str(), 0, out);
}

int relations_best_index(sqlite3_vtab*, sqlite3_index_info* info) {
    // A full scan of a small table; a lookup by name is one row.
    info->estimatedCost = 100;
    info->estimatedRows = 100;
    for (int i = 0; i < info->nConstraint; ++i) {
        const auto& c = info->aConstraint[i];
        if (c.usable && c.iColumn == 0 && c.op == SQLITE_INDEX_CONSTRAINT_EQ) {
            info->aConstraintUsage[i].argvIndex = 1;
            info->aConstraintUsage[i].omit = 1;
            info->idxNum = 1;
            info->estimatedCost = 1;
            info->estimatedRows = 1;
            info->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
            break;
        }
    }
    return SQLITE_OK;
}

int relations_open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
    *out = &(new (std::nothrow) RelationsCursor{})->base;
    return *out ? SQLITE_OK : SQLITE_NOMEM;
}

int relations_close(sqlite3_vtab_cursor* cursor) {
    delete reinterpret_cast<RelationsCursor*>(cursor);
    return SQLITE_OK;
}

int relations_filter(sqlite3_vtab_cursor* base, int idx_num, const char*, int, sqlite3_value** argv) {
    auto* cursor = reinterpret_cast<RelationsCursor*>(base);
    return guarded(&base->pVtab->zErrMsg, [&] {
        cursor->rows = load_relations(connection_of(base));
        if (idx_num == 1) {
            Value name = Value::from(argv[0]);
            std::erase_if(cursor->rows, [&](const Relation& r) { return name.is_null() || r.name != name.text(); });
        }
        cursor->at = 0;
        return SQLITE_OK;
    });
}

int relations_next(sqlite3_vtab_cursor* base) {
    ++reinterpret_cast<RelationsCursor*>(base)->at;
    return SQLITE_OK;
}

int relations_eof(sqlite3_vtab_cursor* base) {
    auto* cursor = reinterpret_cast<RelationsCursor*>(base);
    return cursor->at >= cursor->rows.size();
}

int relations_column(sqlite3_vtab_cursor* base, sqlite3_context* ctx, int column) {
    auto* cursor = reinterpret_cast<RelationsCursor*>(base);
    column_value(cursor->rows[cursor->at], column).result(ctx);
    return SQLITE_OK;
}

int relations_rowid(sqlite3_vtab_cursor* base, sqlite3_int64* rowid) {
    auto* cursor = reinterpret_cast<RelationsCursor*>(base);
    *rowid = cursor->rows[cursor->at].id;
    return SQLITE_OK;
}

const Relation& find_by_id(const std::vector<Relation>& all, std::int64_t id) {
    for (const Relation& r : all)
        if (r.id == id) return r;
    throw Error("covet: no relation with rowid " + std::to_string(id), SQLITE_NOTFOUND);
}

void insert(sqlite3* db, sqlite3_value** columns, sqlite3_int64* rowid) {
    Relation r;
    for (int c = 0; c < relation_column_count; ++c) set_column(r, c, Value::from(columns[c]));
    bool junction_given = r.through_table.has_value();
    std::vector<Relation> all = load_relations(db);
    TableCache tables(db);
    complete(r, tables);
    // An omitted junction table is created, but only once the relation is known to be valid.
    bool junction_pending = !junction_given && r.many_to_many() && r.through_table && !tables.find(*r.through_table);
    validate(r, all, tables, junction_pending);
    if (junction_pending) create_junction_table(r, tables);
    insert_relation(db, r);
    *rowid = r.id;
}

// Only the names, the action and the default may change: anything else is another relation.
void update(sqlite3* db, std::int64_t id, sqlite3_value** columns) {
    std::vector<Relation> all = load_relations(db);
    const Relation& old = find_by_id(all, id);
    Relation r = old;
    for (int c = 0; c < relation_column_count; ++c) {
        Value v = Value::from(columns[c]);
        bool changeable = c == 0 || c == 6 || c == 7 || c == 11;
        Value before = column_value(old, c);
        if (!changeable && (v.type != before.type || v.text() != before.text()))
            throw Error("covet: relation " + old.name + ": " + relation_columns[c] +
                            " cannot be changed (only name, on_delete, related_name and default_value can); "
                            "delete the relation and insert it again",
                        SQLITE_CONSTRAINT);
        set_column(r, c, v);
    }
    TableCache tables(db);
    complete(r, tables);
    validate(r, all, tables);
    update_relation(db, r);
}

// SQLite refuses SAVEPOINT while a write statement (this INSERT/UPDATE/DELETE on the virtual
// table) runs, so a write that fails after validation is undone by hand: the store goes back to
// its rows before and the triggers and indexes are synced to match. (A junction table created
// just before such a failure stays, empty: SQLite cannot drop a table from inside a statement.)
void undo(sqlite3* db, const std::vector<Relation>& before) {
    exec(db, std::string("DELETE FROM ") + relation_store);
    for (Relation r : before) insert_relation(db, r);
    sync_schema(db);
}

int relations_update(sqlite3_vtab* vtab, int argc, sqlite3_value** argv, sqlite3_int64* rowid) {
    sqlite3* db = connection_of(vtab);
    return guarded(&vtab->zErrMsg, [&] {
        ensure_store(db);
        std::vector<Relation> before = load_relations(db);
        try {
            if (argc == 1) {
                delete_relation(db, sqlite3_value_int64(argv[0]));
            } else if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
                insert(db, argv + 2, rowid);
            } else {
                if (sqlite3_value_int64(argv[0]) != sqlite3_value_int64(argv[1]))
                    throw Error("covet: the rowid of a relation cannot be changed", SQLITE_CONSTRAINT);
                update(db, sqlite3_value_int64(argv[0]), argv + 2);
            }
            sync_schema(db);
        } catch (...) {
            undo(db, before);
            throw;
        }
        return SQLITE_OK;
    });
}

sqlite3_module relations_module = {
    /* iVersion    */ 0,
    /* xCreate     */ nullptr,  // eponymous only
    /* xConnect    */ relations_connect,
    /* xBestIndex  */ relations_best_index,
    /* xDisconnect */ disconnect_vtab,
    /* xDestroy    */ nullptr,
    /* xOpen       */ relations_open,
    /* xClose      */ relations_close,
    /* xFilter     */ relations_filter,
    /* xNext       */ relations_next,
    /* xEof        */ relations_eof,
    /* xColumn     */ relations_column,
    /* xRowid      */ relations_rowid,
    /* xUpdate     */ relations_update,
    /* xBegin      */ nullptr,
    /* xSync       */ nullptr,
    /* xCommit     */ nullptr,
    /* xRollback   */ nullptr,
    /* xFindMethod */ nullptr,
    /* xRename     */ nullptr,
    /* xSavepoint  */ nullptr,
    /* xRelease    */ nullptr,
    /* xRollbackTo */ nullptr,
    /* xShadowName */ nullptr,
};

}  // namespace

int register_relations_vtab(sqlite3* db) {
    return sqlite3_create_module(db, "covet_relations", &relations_module, nullptr);
}

}  // namespace covet::ext
