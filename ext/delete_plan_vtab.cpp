/*
** covet_delete_plan(table, keys): what covet_delete(table, keys) would do, changing nothing.
**
**   SELECT * FROM covet_delete_plan('authors', 1);
**   -- action       table_name        pk  relation          blocking
**   -- delete       authors           1   NULL              0
**   -- delete       profiles          1   profiles.author   0
**   -- delete       books             1   books.author      0
**   -- delete       books             2   books.author      0
**   -- delete       books_categories  1   books.categories  0
**   -- delete       books_categories  2   books.categories  0
**   SELECT * FROM covet_delete_plan('authors', '[1, 2]');     -- a JSON array of keys
**   SELECT table_name, count(*) FROM covet_delete_plan('authors', 1)
**     WHERE action = 'delete' GROUP BY 1;                     -- covet_delete()'s per_table
**   SELECT NOT EXISTS (SELECT 1 FROM covet_delete_plan('authors', 1) WHERE blocking);
**                                                             -- would the delete go through?
**
** The "Are you sure?" page of Django's admin, in SQL: one row for every row the delete touches.
**   action      'delete'       the row is removed (the rows asked for, and everything CASCADE and
**                              many_to_many junctions take with them);
**               'set_null'     a surviving row whose column a SET_NULL relation sets to NULL;
**               'set_default'  a surviving row whose column a SET_DEFAULT relation resets;
**               'protect'      a row that forbids the delete through a PROTECT relation;
**               'restrict'     a surviving row that forbids it through a RESTRICT relation (rows
**                              the delete removes anyway do not, as in Django).
**   table_name  the row's table;  pk  its primary key (the rowid when none is declared).
**   relation    the relation that puts the row in the plan: for 'delete' the CASCADE or
**               many_to_many relation it was reached through (the first one, when several
**               reach it), NULL for the rows asked for.
**   blocking    1 when the row makes the delete fail: every 'protect' and 'restrict' row, and a
**               'set_default' row whose default row does not exist or is deleted too (it is
**               listed once, blocking).
**               covet_delete() refuses while any row blocks, and changes nothing; the other rows
**               show what it does once nothing blocks.
** Keys are the same as covet_delete()'s: one key or a JSON array of keys; the plan is computed
** over all of them together, by the same SQL (deletion.hpp), so it lists exactly what
** covet_delete() would remove and update. It only reads: it works on a read-only database, in a
** read transaction, and from views and triggers (innocuous).
*/
#include "deletion.hpp"
#include "modules.hpp"
#include "vtab.hpp"

#include <array>

namespace covet::ext {

namespace {

enum Column { action_column, table_name_column, pk_column, relation_column, blocking_column, table_argument,
              keys_argument };
constexpr int row_columns = 5;

struct PlanCursor {
    sqlite3_vtab_cursor base;
    Value table, keys;  // the arguments, returned as the hidden columns
    std::vector<std::array<Value, row_columns>> rows;
    std::size_t at = 0;
};

// CASE naming the relation a condemned row of `table` (alias x) was reached through: NULL for a
// row asked for, else the first CASCADE edge from it whose target row is condemned.
std::string reached_through(Graph& graph, const Deletion& deletion, const std::string& table, const Doomed& doomed) {
    std::string cases;
    if (same_name(table, deletion.table()))
        cases += " WHEN " + graph.key(table, "x") + " IN (SELECT value FROM " + keys_source("?1") + ") THEN NULL";
    for (const Edge& e : graph.edges) {
        if (e.action != OnDelete::Cascade || !same_name(e.from_table, table)) continue;
        cases += " WHEN " + deletion.referencing(e, doomed, "x") + " THEN " + quote_text(e.relation->name);
    }
    return cases.empty() ? "NULL" : "CASE" + cases + " END";
}

// One statement: the closure as a CTE, then every touched row as (action, table_name, pk,
// relation, blocking, part), ordered by part (deletes from the table asked for first, then
// farther ones, blockers, updates) and key.
std::string plan_sql(Graph& graph, const Deletion& deletion) {
    const Doomed doomed{Deletion::closure_name, ""};
    std::vector<std::string> parts;
    auto part = [&](const std::string& columns, const std::string& from) {
        parts.push_back("SELECT " + columns + ", " + std::to_string(parts.size()) + " FROM " + from);
    };
    // Every condemned row with its user-visible key and the relation that reached it.
    const std::vector<std::string>& reach = deletion.reach();
    for (auto t = reach.rbegin(); t != reach.rend(); ++t)
        part("'delete', " + quote_text(*t) + ", " + graph.key(*t, "x") + ", " +
                 reached_through(graph, deletion, *t, doomed) + ", 0",
             quote_id(*t) + " AS x WHERE " + graph.identity(*t, "x") + " IN (" + doomed.keys(*t) + ")");

    std::vector<Blocker> blockers = deletion.blockers(doomed);
    for (const Blocker& b : blockers)
        part(quote_text(b.action) + ", " + quote_text(b.edge->from_table) + ", *, " +
                 quote_text(b.edge->relation->name) + ", 1",
             "(" + b.rows + ")");
    for (const Effect& e : deletion.effects(doomed)) {
        std::string rows = e.rows;
        for (const Blocker& b : blockers)  // a blocked SET_DEFAULT row is listed once, as blocking
            if (b.edge == e.edge && b.action == e.action) rows = "SELECT * FROM (" + rows + ") EXCEPT " + b.rows;
        part(quote_text(e.action) + ", " + quote_text(e.edge->from_table) + ", *, " +
                 quote_text(e.edge->relation->name) + ", 0",
             "(" + rows + ")");
    }
    return deletion.closure(deletion.seed_of_keys("?1")) + join(parts, " UNION ALL ") + " ORDER BY 6, 3";
}

std::vector<std::array<Value, row_columns>> plan(sqlite3* db, const Value& table_name, const Value& keys) {
    Graph graph(db);
    Deletion deletion = Deletion::of_keys(graph, table_name, "covet_delete_plan");
    Stmt query(db, plan_sql(graph, deletion));
    query.bind(1, keys);
    std::vector<std::array<Value, row_columns>> rows;
    while (query.step()) {
        std::array<Value, row_columns> row;
        for (int c = 0; c < row_columns; ++c) row[static_cast<std::size_t>(c)] = query.value(c);
        rows.push_back(std::move(row));
    }
    return rows;
}

int plan_connect(sqlite3* db, void*, int, const char* const*, sqlite3_vtab** out, char**) {
    return connect_vtab(db,
                        "CREATE TABLE x(action, table_name, pk, relation, blocking, \"table\" HIDDEN, keys HIDDEN)",
                        SQLITE_VTAB_INNOCUOUS, out);
}

// Both arguments must be equality constraints. One that is there but not usable yet (a join
// supplies it) rejects this plan so SQLite tries another order; one that is missing altogether
// gets a plan whose xFilter says what is missing ("no query solution" would not).
int plan_best_index(sqlite3_vtab* vtab, sqlite3_index_info* info) {
    return guarded(&vtab->zErrMsg, [&] {
        int argument[2] = {-1, -1};
        bool unusable = false;
        for (int i = 0; i < info->nConstraint; ++i) {
            const auto& c = info->aConstraint[i];
            if ((c.iColumn != table_argument && c.iColumn != keys_argument) || c.op != SQLITE_INDEX_CONSTRAINT_EQ)
                continue;
            if (!c.usable)
                unusable = true;
            else
                argument[c.iColumn - table_argument] = i;
        }
        if (argument[0] >= 0 && argument[1] >= 0) {
            for (int a = 0; a < 2; ++a) {
                info->aConstraintUsage[argument[a]].argvIndex = a + 1;
                info->aConstraintUsage[argument[a]].omit = 1;
            }
            info->idxNum = 1;
            info->estimatedCost = 1000;
            info->estimatedRows = 100;
            return SQLITE_OK;
        }
        if (unusable) return SQLITE_CONSTRAINT;
        info->idxNum = 0;
        info->estimatedCost = 1e300;
        return SQLITE_OK;
    });
}

int plan_open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
    *out = &(new (std::nothrow) PlanCursor{})->base;
    return *out ? SQLITE_OK : SQLITE_NOMEM;
}

int plan_filter(sqlite3_vtab_cursor* base, int idx_num, const char*, int, sqlite3_value** argv) {
    auto* cursor = reinterpret_cast<PlanCursor*>(base);
    return guarded(&base->pVtab->zErrMsg, [&] {
        cursor->rows.clear();
        cursor->at = 0;
        if (idx_num != 1)
            throw Error("covet: covet_delete_plan(table, keys) needs both arguments, as in "
                        "SELECT * FROM covet_delete_plan('authors', 1) or covet_delete_plan('authors', '[1, 2]')");
        cursor->table = Value::from(argv[0]);
        cursor->keys = Value::from(argv[1]);
        cursor->rows = plan(connection_of(base), cursor->table, cursor->keys);
        return SQLITE_OK;
    });
}

int plan_next(sqlite3_vtab_cursor* base) {
    ++reinterpret_cast<PlanCursor*>(base)->at;
    return SQLITE_OK;
}

int plan_eof(sqlite3_vtab_cursor* base) {
    auto* cursor = reinterpret_cast<PlanCursor*>(base);
    return cursor->at >= cursor->rows.size();
}

int plan_column(sqlite3_vtab_cursor* base, sqlite3_context* ctx, int column) {
    auto* cursor = reinterpret_cast<PlanCursor*>(base);
    return guarded(&base->pVtab->zErrMsg, [&] {
        if (column == table_argument)
            cursor->table.result(ctx);
        else if (column == keys_argument)
            cursor->keys.result(ctx);
        else
            cursor->rows.at(cursor->at).at(static_cast<std::size_t>(column)).result(ctx);
        return SQLITE_OK;
    });
}

int plan_rowid(sqlite3_vtab_cursor* base, sqlite3_int64* rowid) {
    *rowid = static_cast<sqlite3_int64>(reinterpret_cast<PlanCursor*>(base)->at) + 1;
    return SQLITE_OK;
}

int plan_close(sqlite3_vtab_cursor* cursor) {
    delete reinterpret_cast<PlanCursor*>(cursor);
    return SQLITE_OK;
}

sqlite3_module plan_module = {
    /* iVersion    */ 0,
    /* xCreate     */ nullptr,  // eponymous only
    /* xConnect    */ plan_connect,
    /* xBestIndex  */ plan_best_index,
    /* xDisconnect */ disconnect_vtab,
    /* xDestroy    */ nullptr,
    /* xOpen       */ plan_open,
    /* xClose      */ plan_close,
    /* xFilter     */ plan_filter,
    /* xNext       */ plan_next,
    /* xEof        */ plan_eof,
    /* xColumn     */ plan_column,
    /* xRowid      */ plan_rowid,
    /* xUpdate     */ nullptr,  // read-only
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

int register_delete_plan_vtab(sqlite3* db) {
    return sqlite3_create_module(db, "covet_delete_plan", &plan_module, nullptr);
}

}  // namespace covet::ext
