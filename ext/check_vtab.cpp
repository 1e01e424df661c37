/*
** covet_check(): what is wrong with covet's state in this database, like PRAGMA
** foreign_key_check. No rows: nothing is.
**
**   SELECT * FROM covet_check();
**   -- problem            relation      table_name  pk  detail
**   -- dangling_reference books.author  books       5   books.author_id = 99 references no authors.id ...
**   -- broken_relation    books.author  books       NULL from_table "books" is not an ordinary table ...
**   SELECT problem, count(*) FROM covet_check GROUP BY 1;
**
** Every row names one problem, and its detail is a sentence saying what it breaks and how to
** repair it:
**   stale_bookkeeping   a row left in _covet_doomed (it is empty between statements): covet's
**                       delete trigger skips that row, so deleting it cascades and checks nothing.
**                       pk: the row's key; table_name: its table.
**   broken_relation     a relation that no longer matches the schema (a table or column dropped or
**                       renamed, ...): covet makes no triggers for it any more, and the triggers it
**                       made before may make statements fail ("no such table"); the detail names
**                       the statements that fail now, and a table that seems renamed.
**   dangling_reference  a row whose key references a missing row (after a DO_NOTHING delete, or
**                       writes made with triggers disabled): one row per referencing row, for
**                       foreign_key / one_to_one columns and both many_to_many junction columns.
**   missing_trigger, missing_index      a trigger or index the relations need is not there;
**   outdated_trigger, outdated_index    it is there with other SQL (edited by hand, rewritten by
**                                       ALTER TABLE ... RENAME);
**   unexpected_object   a covet-named trigger or index that no valid relation needs.
**                       table_name: the table the object is on; relation: one it belongs to.
**   failing_statement   preparing a DELETE, INSERT or UPDATE of a table with covet triggers fails
**                       (a trigger refers to something gone) and no broken relation explains it.
** covet_check only reads (it prepares, never runs, the statements it probes). It is DIRECTONLY:
** from inside a trigger, _covet_doomed legitimately holds the rows being deleted.
*/
#include "modules.hpp"
#include "triggers.hpp"
#include "vtab.hpp"

#include <algorithm>
#include <optional>

namespace covet::ext {

namespace {

struct Problem {
    std::string problem;
    std::optional<std::string> relation, table;
    Value pk;
    std::string detail;
};

struct CheckCursor {
    sqlite3_vtab_cursor base;
    std::vector<Problem> rows;
    std::size_t at = 0;
};

// A statement that cannot even be prepared: every execution of it fails the same way.
struct Failure {
    std::string table;
    std::string statement;  // "DELETE FROM authors", "UPDATE of authors.id"
    std::string message;    // "no such table: main.books"
    bool explained = false;
};

Value text_value(const std::string& text) {
    Value v;
    v.type = SQLITE_TEXT;
    v.bytes = text;
    return v;
}

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// "a, b and c"
std::string listing(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i)
        out += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
    return out;
}

// The table part of a covet object's name: covet_delete:<table>, covet_index:<table>(<column>).
bool named_for(const std::string& object, const std::string& table) {
    std::string rest = object.substr(object.find(':') + 1);
    if (rest.size() < table.size() || !same_name(rest.substr(0, table.size()), table)) return false;
    return rest.size() == table.size() || rest[table.size()] == '(';
}

std::string drop_statement(const SchemaObject& o) {
    return (o.type == "trigger" ? "DROP TRIGGER " : "DROP INDEX ") + quote_id(o.name);
}

std::string rebuild_advice() { return "SELECT covet_sync() rebuilds covet's triggers and indexes"; }

// A relation whose objects are on `table`, for the relation column.
std::optional<std::string> relation_touching(const Graph& graph, const std::string& table) {
    for (const Edge& e : graph.edges)
        if (same_name(e.from_table, table) || same_name(e.to_table, table)) return e.relation->name;
    return std::nullopt;
}

// 1. Rows left in _covet_doomed.
void stale_bookkeeping(sqlite3* db, Graph& graph, std::vector<Problem>& out) {
    Stmt exists(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
    exists.bind(1, doomed_store);
    if (!exists.step()) return;
    Stmt rows(db, std::string("SELECT tbl, key, root_tbl, root_key FROM ") + doomed_store +
                      " ORDER BY root_tbl, root_key, tbl, key");
    while (rows.step()) {
        std::string table = rows.text(0);
        Value key = rows.value(1);
        // key is the row identity; show the primary key users know when they differ.
        const Table* t = graph.tables.find(table);
        if (t && t->row_identity() && graph.key(table, "x") != graph.identity(table, "x")) {
            Stmt pk(db, "SELECT " + graph.key(table, "x") + " FROM " + quote_id(table) + " AS x WHERE " +
                            graph.identity(table, "x") + " = ?1");
            pk.bind(1, key);
            if (pk.step()) key = pk.value(0);
        }
        std::string by = rows.text(2).empty() ? "covet_delete()"
                                              : "the delete of " + rows.text(2) + " row " + rows.value(3).text();
        out.push_back({"stale_bookkeeping", std::nullopt, table, key,
                       "_covet_doomed still marks " + table + " row " + key.text() + " as being deleted (by " + by +
                           ", which did not clean up), but no delete is running: covet's delete trigger skips a "
                           "row listed there, so deleting it cascades, updates and checks nothing. Repair: "
                           "DELETE FROM _covet_doomed (it is empty between statements)"});
    }
}

// Prepares (never runs) a DELETE, an INSERT and an UPDATE of each column of every table that has
// covet triggers: SQLite compiles triggers with the statement, so a trigger referring to a
// dropped table fails here just as every real statement would.
std::vector<Failure> probe(sqlite3* db, Graph& graph, const std::vector<SchemaObject>& existing) {
    std::vector<std::string> tables;
    for (const SchemaObject& o : existing)
        if (o.type == "trigger" && std::none_of(tables.begin(), tables.end(),
                                                [&](const std::string& t) { return same_name(t, o.table); }))
            tables.push_back(o.table);
    std::vector<Failure> failures;
    for (const std::string& name : tables) {
        const Table* table = graph.tables.find(name);
        if (!table) continue;
        std::string t = quote_id(table->name);
        std::vector<std::pair<std::string, std::string>> statements = {
            {"DELETE FROM " + table->name, "DELETE FROM " + t + " WHERE 0"},
            {"INSERT INTO " + table->name, "INSERT INTO " + t + " DEFAULT VALUES"}};
        for (const Column& c : table->columns)  // UPDATE OF triggers are compiled for their columns only
            statements.push_back({"UPDATE of " + table->name + "." + c.name,
                                  "UPDATE " + t + " SET " + quote_id(c.name) + " = " + quote_id(c.name) + " WHERE 0"});
        for (const auto& [label, sql] : statements) {
            sqlite3_stmt* stmt = nullptr;
            if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
                failures.push_back({table->name, label, sqlite3_errmsg(db)});
            sqlite3_finalize(stmt);
        }
    }
    return failures;
}

// The tables of a relation that are not (ordinary) tables of the main schema any more.
std::vector<std::string> missing_tables(Graph& graph, const Relation& r) {
    std::vector<std::string> missing;
    for (const std::optional<std::string>& t :
         {std::optional(r.from_table), std::optional(r.to_table), r.through_table})
        if (t && !graph.tables.find(*t) && std::find(missing.begin(), missing.end(), *t) == missing.end())
            missing.push_back(*t);
    return missing;
}

bool involves(const Relation& r, const std::string& table) {
    return same_name(table, r.from_table) || same_name(table, r.to_table) ||
           (r.through_table && same_name(table, *r.through_table));
}

// 2. Relations that no longer match the schema.
void broken_relations(Graph& graph, const std::vector<SchemaObject>& existing, std::vector<Failure>& failures,
                      std::vector<Problem>& out) {
    std::vector<std::vector<std::string>> missing;
    for (const Broken& b : graph.broken) missing.push_back(missing_tables(graph, *b.relation));

    // Which broken relation each failing statement is due to: one missing a table the message
    // names, preferably one on the failing table itself (its triggers were made for it); a
    // delete that cascades farther can fail on a table the relation does not name.
    std::vector<std::vector<const Failure*>> blamed(graph.broken.size());
    for (Failure& f : failures) {
        std::string m = lower(f.message);
        std::vector<std::size_t> suspects, owners;
        for (std::size_t i = 0; i < graph.broken.size(); ++i) {
            if (std::none_of(missing[i].begin(), missing[i].end(), [&](const std::string& t) {
                    return m == "no such table: main." + lower(t) || m == "no such table: " + lower(t);
                }))
                continue;
            suspects.push_back(i);
            if (involves(*graph.broken[i].relation, f.table)) owners.push_back(i);
        }
        for (std::size_t i : owners.empty() ? suspects : owners) blamed[i].push_back(&f);
        f.explained = !suspects.empty();
    }

    for (std::size_t i = 0; i < graph.broken.size(); ++i) {
        const Relation& r = *graph.broken[i].relation;
        std::string detail = graph.broken[i].problem + ", so covet no longer maintains relation " + r.name +
                             " (it makes no triggers for it).";
        std::vector<std::string> renamed;
        for (const std::string& m : missing[i]) {
            for (const SchemaObject& o : existing) {
                if (!named_for(o.name, m) || same_name(o.table, m)) continue;
                renamed.push_back("ALTER TABLE " + quote_id(o.table) + " RENAME TO " + quote_id(m));
                detail += " Table " + m + " seems to have been renamed to " + o.table + " (covet's " + o.type +
                          " " + o.name + " is on " + o.table +
                          " now): SQLite rewrote covet's triggers, which still run, but covet_relations still "
                          "says " + m + ".";
                break;
            }
        }
        for (std::size_t first = 0; first < blamed[i].size(); ++first) {  // one sentence per message
            const std::string& message = blamed[i][first]->message;
            if (std::any_of(blamed[i].begin(), blamed[i].begin() + static_cast<std::ptrdiff_t>(first),
                            [&](const Failure* f) { return f->message == message; }))
                continue;
            std::vector<std::string> statements;
            for (const Failure* f : blamed[i])
                if (f->message == message) statements.push_back(f->statement);
            detail += " Until it is repaired, every " + listing(statements) + " fails with '" + message +
                      "' (covet's old triggers still refer to the table).";
        }
        std::string forget = "DELETE FROM covet_relations WHERE name = " + quote_text(r.name);
        if (!renamed.empty())
            detail += " Repair: rename it back (" + join(renamed, "; ") + "), or " + forget +
                      " and insert the relation again with the new name.";
        else if (!missing[i].empty())
            detail += " Repair: re-create table " + listing(missing[i]) +
                      " (covet_check then lists the triggers to rebuild), or forget the relation: " + forget +
                      " (covet then rebuilds its triggers).";
        else
            detail += " Repair: change the schema back, or forget the relation: " + forget +
                      " (covet then rebuilds its triggers) and insert it again as the schema is now.";
        out.push_back({"broken_relation", r.name, r.from_table, Value{}, detail});
    }
}

std::string repair_dangling(Graph& graph, const Edge& e, const std::string& where, const Value& key) {
    const Relation& r = *e.relation;
    std::string table = quote_id(e.from_table), column = quote_id(e.from_column);
    std::string existing = "point " + e.from_table + "." + e.from_column + " at an existing " + e.to_table + " row";
    std::string remove = "SELECT covet_delete(" + quote_text(e.from_table) + ", " + literal(key) + ")";
    if (r.many_to_many())
        return "delete the junction row, as many_to_many does when either side goes: DELETE FROM " + table + where;
    switch (e.action) {
    case OnDelete::Cascade: return "delete the row, as CASCADE would have: " + remove + "; or " + existing;
    case OnDelete::SetNull:
        return "UPDATE " + table + " SET " + column + " = NULL" + where + ", as SET_NULL would have; or " + existing;
    case OnDelete::SetDefault: {
        std::string value = r.default_value.is_null()
                                ? "(" + *graph.table(e.from_table).column(e.from_column)->default_sql + ")"
                                : literal(r.default_value);
        return "UPDATE " + table + " SET " + column + " = " + value + where + ", as SET_DEFAULT would have; or " +
               existing;
    }
    case OnDelete::Protect:
    case OnDelete::Restrict:
        return "the " + e.to_table + " row was deleted without covet's triggers (" + *r.on_delete +
               " would have refused): insert it again, " + existing + ", or delete the row: " + remove;
    case OnDelete::DoNothing: break;
    }
    const Column* c = graph.table(e.from_table).column(e.from_column);
    bool nullable = c && !c->not_null && !c->primary_key;
    return "DO_NOTHING leaves this to you: " + existing +
           (nullable ? ", set it to NULL (UPDATE " + table + " SET " + column + " = NULL" + where + ")" : "") +
           ", or delete the row: " + remove;
}

// 3. Rows referencing missing rows, per link (a many_to_many relation has two).
void dangling_references(sqlite3* db, Graph& graph, std::vector<Problem>& out) {
    for (const Edge& e : graph.edges) {
        std::string column = quote_id(e.from_column);
        Stmt rows(db, "SELECT " + graph.key(e.from_table, "r") + ", r." + column + " FROM " +
                          quote_id(e.from_table) + " AS r WHERE r." + column + " IS NOT NULL AND NOT EXISTS " +
                          "(SELECT 1 FROM " + quote_id(e.to_table) + " AS p WHERE p." + quote_id(e.to_column) +
                          " = +r." + column + ") ORDER BY 1");
        while (rows.step()) {
            Value key = rows.value(0);
            std::string where = " WHERE " + graph.key(e.from_table, quote_id(e.from_table)) + " = " + literal(key);
            out.push_back({"dangling_reference", e.relation->name, e.from_table, key,
                           e.from_table + "." + e.from_column + " = " + rows.value(1).text() + " references no " +
                               e.to_table + "." + e.to_column + " (relation " + e.relation->name +
                               "). Repair: " + repair_dangling(graph, e, where, key)});
        }
    }
}

std::string consequence(const SchemaObject& d) {
    if (d.type == "index")
        return d.name.rfind("covet_unique:", 0) == 0
                   ? "the one_to_one column is not kept unique"
                   : "deletes of the rows it references scan " + d.table + " in full (slow, still correct)";
    if (d.name.rfind("covet_delete:", 0) == 0)
        return "deletes on " + d.table + " no longer cascade, update or check related rows";
    if (d.name.rfind("covet_insert:", 0) == 0)
        return "inserts into " + d.table + " are not checked against the rows they reference";
    return "updates of " + d.table + " keys and references are not checked";
}

// 4. covet's triggers and indexes: what the relations need against what the schema has.
void schema_objects(Graph& graph, const std::vector<SchemaObject>& existing, std::vector<Problem>& out) {
    std::vector<SchemaObject> desired = desired_objects(graph);
    auto find = [](const std::vector<SchemaObject>& in, const SchemaObject& o) {
        return std::find_if(in.begin(), in.end(),
                            [&](const SchemaObject& x) { return x.type == o.type && x.name == o.name; });
    };
    for (const SchemaObject& d : desired) {
        auto e = find(existing, d);
        if (e != existing.end() && e->sql == d.sql) continue;
        std::string rebuild = rebuild_advice();
        if (e == existing.end())
            out.push_back({"missing_" + d.type, relation_touching(graph, d.table), d.table, Value{},
                           d.type + " " + d.name + " is missing (dropped by hand?): " + consequence(d) +
                               ". Repair: " + rebuild});
        else
            out.push_back({"outdated_" + d.type, relation_touching(graph, d.table), d.table, Value{},
                           d.type + " " + d.name +
                               " differs from what the relations need (edited by hand, or rewritten by ALTER "
                               "TABLE ... RENAME), so it may enforce other rules than covet_relations says. "
                               "Repair: " + rebuild});
    }
    for (const SchemaObject& e : existing) {
        if (find(desired, e) != desired.end()) continue;
        // covet drops unneeded triggers when it rebuilds, but not indexes (see sync_schema()).
        std::string rebuild = e.type == "trigger" ? rebuild_advice() : "";
        out.push_back({"unexpected_object", std::nullopt, e.table, Value{},
                       e.type + " " + e.name + " on " + e.table +
                           " is named like covet's but no valid relation needs it (left from a relation "
                           "deleted or broken). Repair: " +
                           (graph.broken.empty() ? "" : "repair the broken relations first (this " + e.type +
                                                            " may still be doing their work); then ") +
                           drop_statement(e) + (rebuild.empty() ? "" : ", or let covet drop it: " + rebuild)});
    }
}

std::vector<Problem> check(sqlite3* db) {
    Graph graph(db);
    std::vector<Problem> out;
    std::vector<SchemaObject> existing = existing_objects(db);
    std::vector<Failure> failures = probe(db, graph, existing);
    stale_bookkeeping(db, graph, out);
    broken_relations(graph, existing, failures, out);
    dangling_references(db, graph, out);
    schema_objects(graph, existing, out);
    for (const Failure& f : failures)
        if (!f.explained)
            out.push_back({"failing_statement", std::nullopt, f.table, Value{},
                           "every " + f.statement + " fails with '" + f.message +
                               "': a trigger on " + f.table + " refers to something that no longer exists. "
                               "Repair: " + rebuild_advice() + "; if that is not enough, " +
                               "find the trigger in sqlite_schema and drop or fix it"});
    return out;
}

int check_connect(sqlite3* db, void*, int, const char* const*, sqlite3_vtab** out, char**) {
    return connect_vtab(db, "CREATE TABLE x(problem, relation, table_name, pk, detail)", SQLITE_VTAB_DIRECTONLY,
                        out);
}

// No arguments, nothing to index: one full scan, whatever the constraints.
int check_best_index(sqlite3_vtab* vtab, sqlite3_index_info* info) {
    return guarded(&vtab->zErrMsg, [&] {
        info->estimatedCost = 1e6;
        info->estimatedRows = 10;
        return SQLITE_OK;
    });
}

int check_open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
    *out = &(new (std::nothrow) CheckCursor{})->base;
    return *out ? SQLITE_OK : SQLITE_NOMEM;
}

int check_filter(sqlite3_vtab_cursor* base, int, const char*, int, sqlite3_value**) {
    auto* cursor = reinterpret_cast<CheckCursor*>(base);
    return guarded(&base->pVtab->zErrMsg, [&] {
        cursor->rows.clear();
        cursor->at = 0;
        cursor->rows = check(connection_of(base));
        return SQLITE_OK;
    });
}

int check_next(sqlite3_vtab_cursor* base) {
    ++reinterpret_cast<CheckCursor*>(base)->at;
    return SQLITE_OK;
}

int check_eof(sqlite3_vtab_cursor* base) {
    auto* cursor = reinterpret_cast<CheckCursor*>(base);
    return cursor->at >= cursor->rows.size();
}

int check_column(sqlite3_vtab_cursor* base, sqlite3_context* ctx, int column) {
    auto* cursor = reinterpret_cast<CheckCursor*>(base);
    return guarded(&base->pVtab->zErrMsg, [&] {
        const Problem& p = cursor->rows.at(cursor->at);
        auto optional = [](const std::optional<std::string>& s) { return s ? text_value(*s) : Value{}; };
        switch (column) {
        case 0: text_value(p.problem).result(ctx); break;
        case 1: optional(p.relation).result(ctx); break;
        case 2: optional(p.table).result(ctx); break;
        case 3: p.pk.result(ctx); break;
        default: text_value(p.detail).result(ctx); break;
        }
        return SQLITE_OK;
    });
}

int check_rowid(sqlite3_vtab_cursor* base, sqlite3_int64* rowid) {
    *rowid = static_cast<sqlite3_int64>(reinterpret_cast<CheckCursor*>(base)->at) + 1;
    return SQLITE_OK;
}

int check_close(sqlite3_vtab_cursor* cursor) {
    delete reinterpret_cast<CheckCursor*>(cursor);
    return SQLITE_OK;
}

sqlite3_module check_module = {
    /* iVersion    */ 0,
    /* xCreate     */ nullptr,  // eponymous only
    /* xConnect    */ check_connect,
    /* xBestIndex  */ check_best_index,
    /* xDisconnect */ disconnect_vtab,
    /* xDestroy    */ nullptr,
    /* xOpen       */ check_open,
    /* xClose      */ check_close,
    /* xFilter     */ check_filter,
    /* xNext       */ check_next,
    /* xEof        */ check_eof,
    /* xColumn     */ check_column,
    /* xRowid      */ check_rowid,
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

int register_check_vtab(sqlite3* db) { return sqlite3_create_module(db, "covet_check", &check_module, nullptr); }

}  // namespace covet::ext
